"""DAX clusters: not emulated, but wired as CloudFormation wires them, so a template with DAX on runs.

A cluster gets the Ref and GetAtt values CloudFormation documents (its name, `Arn`,
`ClusterDiscoveryEndpoint` and `ClusterDiscoveryEndpointURL`), so functions, policies and outputs that name
it resolve. Nothing listens behind the endpoint, so its two values go in `Deployment.absent_endpoints`: a
function variable holding one of them reaches the function empty (the functions creator does that), and
a table provider that treats an empty endpoint as "no DAX" (todos' and blog's, `common.tables`) reads and
writes DynamoDB directly. The start-up output says so in one line.
"""

from __future__ import annotations

import hashlib

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.common import arn
from localcloud.provision.creators.registry import creates

NAME_MAX = 20  # DAX cluster names: 1-20 characters, lower case
TLS_PORT, PLAIN_PORT = 9111, 8111


@creates("AWS::DAX::Cluster")
def _cluster(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = str(p.get("ClusterName") or _generated_name(ctx, r.logical_id))
    suffix = hashlib.sha256(f"{ctx.name}/{r.logical_id}".encode()).hexdigest()[:6]
    host = f"{name}.{suffix}.dax-clusters.{ctx.region}.amazonaws.com"
    tls = p.get("ClusterEndpointEncryptionType") == "TLS"
    endpoint = f"{host}:{TLS_PORT if tls else PLAIN_PORT}"
    url = f"daxs://{host}" if tls else f"dax://{endpoint}"
    r.ref = name
    r.attrs = {"Arn": arn(ctx, "dax", f"cache/{name}"), "ClusterDiscoveryEndpoint": endpoint,
               "ClusterDiscoveryEndpointURL": url}  # fmt: skip
    ctx.deployment.absent_endpoints.update({endpoint: r.address, url: r.address})
    ctx.deployment.not_emulated.append(f"{r.address} ({r.type})")
    ctx.deployment.notices.append(
        f"DAX is not emulated: {r.address}'s endpoint reaches the functions as an empty variable, "
        "so their reads and writes go to DynamoDB directly"
    )


def _generated_name(ctx: StackContext, logical_id: str) -> str:
    digest = hashlib.sha256(f"{ctx.name}/{logical_id}".encode()).hexdigest()[:8]
    head = "".join(c for c in logical_id.lower() if c.isalnum())[: NAME_MAX - len(digest) - 1]
    return f"{head}-{digest}"
