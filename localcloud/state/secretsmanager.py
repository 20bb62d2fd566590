"""Secrets with every version: a generated value is drawn once, and stays the same across restarts.

A secret the template creates comes back with its saved versions while its definition in the template
is unchanged (CloudFormation does not regenerate a secret it did not update); once the definition
changes, the freshly provisioned value wins and the start-up line says so. Secrets created at run time
are restored as they were. Replicas in other regions are not kept (one region runs locally).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from localcloud.state.codec import decode_object, encode_object
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "secretsmanager"
_TYPE = "AWS::SecretsManager::Secret"


def _definitions(scope: Scope) -> dict[str, str]:
    """Template secret ARN -> a digest of its definition."""
    return {
        r.ref: hashlib.sha256(json.dumps(r.properties, sort_keys=True, default=str).encode()).hexdigest()
        for r in scope.deployment.of_type(_TYPE)
    }


def save(scope: Scope) -> Iterator[dict]:
    from moto.secretsmanager.models import FakeSecret

    definitions = _definitions(scope)
    secrets = moto_backend(scope, "secretsmanager").secrets
    for name in sorted(dict.keys(secrets)):
        secret = dict.get(secrets, name)
        if isinstance(secret, FakeSecret):
            yield {
                "name": name,
                "definition": definitions.get(secret.arn),
                "secret": encode_object(secret, exclude=("replicas",)),
            }


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.secretsmanager.models import FakeSecret

    done = Restored()
    definitions = _definitions(scope)
    secrets = moto_backend(scope, "secretsmanager").secrets
    for record in records:
        secret = decode_object(record["secret"], [FakeSecret])
        secret.replicas = []
        current = dict.get(secrets, record["name"])
        if current is not None and current.arn in definitions:
            if definitions[current.arn] != record["definition"]:
                done.skipped.append(f"secret {record['name']} changed in the template: it has the new value")
                continue
        elif current is not None:
            continue
        elif record["definition"] is not None:
            done.skipped.append(f"secret {record['name']} is no longer in the template: it was dropped")
            continue
        dict.__setitem__(secrets, record["name"], secret)
        done.add("secrets")
    return done
