"""SSM parameters written at run time, with every version, labels and SecureString values as moto keeps them.

A parameter the template creates is provisioned again on every start, so the template stays the
source of its value; only names that provisioning did not create are restored. AWS's public parameters
(`/aws/...`) are moto's own and never saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from localcloud.state.codec import decode_object, encode_object
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "ssm"


def _parameters(scope: Scope) -> Any:
    return moto_backend(scope, "ssm")._parameters


def save(scope: Scope) -> Iterator[dict]:
    parameters = _parameters(scope)
    for name in sorted(dict.keys(parameters)):
        versions = list(dict.get(parameters, name) or [])
        if versions and not name.startswith("/aws/"):
            yield {"name": name, "versions": [encode_object(v) for v in versions]}


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.ssm.models import Parameter

    done = Restored()
    parameters = _parameters(scope)
    for record in records:
        if dict.get(parameters, record["name"]):
            continue  # provisioned from the template just now: its value wins
        dict.__setitem__(parameters, record["name"], [decode_object(v, [Parameter]) for v in record["versions"]])
        done.add("parameters")
    return done
