"""A DAX cluster listens on 9111 with TLS and 8111 without: the security group that fronts it must open the
port its `ClusterEndpointEncryptionType` makes it listen on, or the functions time out on AWS (localcloud
never opens a DAX connection, so only this test can see it)."""

from __future__ import annotations

import pytest

from tests.templates.cfn import STACK_TEMPLATES, load_template

PORTS = {"TLS": 9111, "NONE": 8111}


def dax_clusters() -> list[tuple[str, str, dict, dict]]:
    found = []
    for relative in STACK_TEMPLATES:
        resources = load_template(relative).get("Resources", {})
        for name, resource in resources.items():
            if resource["Type"] == "AWS::DAX::Cluster":
                found.append((relative, name, resource["Properties"], resources))
    return found


def test_the_monorepo_has_dax_clusters_to_check():
    found = {relative for relative, *_ in dax_clusters()}
    assert found >= {"services/todos/template.yaml", "services/blog/template.yaml"}


@pytest.mark.parametrize(("relative", "name", "props", "resources"), dax_clusters(), ids=lambda v: str(v)[:40])
def test_the_clusters_security_group_opens_the_port_it_listens_on(relative, name, props, resources):
    port = PORTS[props.get("ClusterEndpointEncryptionType", "NONE")]
    groups = [ref["Ref"] for ref in props["SecurityGroupIds"]]
    ingress = [rule for group in groups for rule in resources[group]["Properties"]["SecurityGroupIngress"]]
    assert ingress and all(rule["FromPort"] == port == rule["ToPort"] for rule in ingress), (relative, ingress)
