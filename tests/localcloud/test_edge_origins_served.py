"""The local CloudFront's origins and behaviours through a running localcloud: a private bucket behind
OAC, this app's API under /api/*, origin failover, error pages, the default root object, aliases, the
viewer protocol policy, the response headers policy, and edge functions of both kinds."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
import requests

from tests.localcloud.edge_support import edge

pytestmark = pytest.mark.localcloud
__all__ = ["edge"]


def test_a_private_object_is_denied_straight_from_the_bucket_and_served_through_the_edge(edge):
    edge.put_site("oac/secret.html", b"<p>only via the CDN</p>")
    bucket = edge.outputs["SiteBucket"]
    direct = requests.get(f"{edge.cloud.endpoints['aws']}/{bucket}/oac/secret.html", timeout=30)
    assert direct.status_code == 403 and b"AccessDenied" in direct.content
    through = edge.get("/oac/secret.html")
    assert through.status_code == 200 and through.content == b"<p>only via the CDN</p>"


def test_the_default_root_object_answers_the_root(edge):
    edge.put_site("index.html", b"<h1>home</h1>")
    assert edge.get("/").content == b"<h1>home</h1>"


def test_the_api_origin_serves_api_paths_uncached_on_the_same_domain(edge):
    first = edge.get("/api/hello?name=x")
    assert first.status_code == 200 and first.json()["path"] == "/api/hello"
    assert first.json()["query"] == {"name": "x"}  # AllViewerExceptHostHeader forwards the query
    assert edge.get("/api/hello?name=x").headers["X-Cache"] == "Miss from cloudfront"  # CachingDisabled
    posted = edge.http.post(edge.url + "/api/things", json={"a": 1}, timeout=30)
    assert posted.status_code == 200


def test_a_failing_primary_origin_fails_over_to_the_secondary(edge):
    path = f"/failover/{uuid.uuid4().hex[:8]}.txt"
    response = edge.get(path)
    assert response.status_code == 200 and b"hello from" in response.content
    assert edge.origin.count(path) == 1  # the secondary, after the primary refused the connection


def test_a_missing_object_gets_the_custom_error_page_with_its_status(edge):
    edge.put_site("404.html", b"<h1>not here</h1>")
    missing = edge.get(f"/nothing-{uuid.uuid4().hex[:6]}.html")
    assert missing.status_code == 404 and missing.content == b"<h1>not here</h1>"


def test_aliases_answer_by_host_header_on_the_main_port_and_any_edge_port(edge):
    edge.put_site("alias.html", b"aliased")
    main = edge.cloud.base
    for base in (main, edge.url):
        response = requests.get(f"{base}/alias.html", headers={"Host": "blog.example.com"}, timeout=30)
        assert response.status_code == 200 and response.content == b"aliased"


def test_the_viewer_protocol_policy_redirects_or_refuses_plain_http(edge):
    redirected = edge.get("/index.html", headers={"X-Forwarded-Proto": "http"}, allow_redirects=False)
    assert redirected.status_code == 301
    location = urlsplit(redirected.headers["Location"])
    assert location.scheme == "https" and location.path == "/index.html"
    refused = edge.get("/api/hello", headers={"X-Forwarded-Proto": "http"})
    assert refused.status_code == 403 and "https-only" in refused.headers["x-localcloud-reason"]


def test_a_method_the_behaviour_does_not_allow_is_refused(edge):
    response = edge.http.delete(edge.url + "/index.html", timeout=30)
    assert response.status_code == 403 and "AllowedMethods" in response.headers["x-localcloud-reason"]


def test_the_response_headers_policy_applies_to_misses_and_hits(edge):
    edge.put_site("headers.html", b"<p>secure</p>")
    for _ in range(2):
        response = edge.get("/headers.html")
        assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
        assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Served-By"] == "localcloud-edge"
    assert response.headers["X-Cache"] == "Hit from cloudfront"


def test_a_cloudfront_function_rewrites_pretty_urls(edge):
    edge.put_site("docs/guide/index.html", b"the guide")
    edge.put_site("docs/site.css", b"body{}", content_type="text/css")
    assert edge.get("/docs/guide").content == b"the guide"
    assert edge.get("/docs/guide/").content == b"the guide"
    assert edge.get("/docs/site.css").content == b"body{}"


def test_a_cloudfront_function_that_throws_is_a_503(edge):
    response = edge.get("/broken-function/x.html")
    assert response.status_code == 503 and response.headers["X-Cache"] == "Error from cloudfront"


def test_a_lambda_at_edge_gate_blocks_requests_without_the_token(edge):
    edge.put_site("private/page.html", b"members only")
    blocked = edge.get("/private/page.html")
    assert blocked.status_code == 401 and blocked.content == b"no entry"
    assert blocked.headers["X-Cache"] == "LambdaGeneratedResponse from cloudfront"
    allowed = edge.get("/private/page.html", headers={"Authorization": "Bearer let-me-in"})
    assert allowed.status_code == 200 and allowed.content == b"members only"


def test_an_origin_response_trigger_runs_on_misses_only(edge):
    path = f"/legacy/stamp-{uuid.uuid4().hex[:8]}.txt"
    miss, hit = edge.get(path), edge.get(path)
    assert hit.headers["X-Cache"] == "Hit from cloudfront"
    assert miss.headers["X-Origin-Response-Runs"] == hit.headers["X-Origin-Response-Runs"]
    other = edge.get(f"/legacy/stamp-{uuid.uuid4().hex[:8]}.txt")
    assert int(other.headers["X-Origin-Response-Runs"]) == int(miss.headers["X-Origin-Response-Runs"]) + 1


def test_the_console_edge_page_shows_counters_and_cached_objects_and_invalidates(edge):
    path = f"/legacy/console-{uuid.uuid4().hex[:8]}.txt"
    edge.get(path)
    edge.get(path)
    [summary] = requests.get(f"{edge.cloud.base}/_local/api/edge", timeout=30).json()
    assert summary["address"] == "Cdn" and summary["url"] == edge.url
    assert summary["stats"]["hits"] >= 1 and summary["stats"]["misses"] >= 1
    assert path in [c["path"] for c in summary["cached"]]
    page = requests.get(f"{edge.cloud.base}/_local/edge", timeout=30)
    assert page.status_code == 200 and path in page.text and "Invalidate" in page.text
    posted = requests.post(
        f"{edge.cloud.base}/_local/edge/invalidate",
        data={"distribution": summary["id"], "paths": path},
        headers={"Origin": edge.cloud.base},
        timeout=30,
    )
    assert posted.status_code == 200 and "invalidated" in posted.text
    assert edge.get(path).headers["X-Cache"] == "Miss from cloudfront"
    forged = requests.post(
        f"{edge.cloud.base}/_local/edge/invalidate",
        data={"distribution": summary["id"], "paths": "/*"},
        headers={"Origin": "http://evil.example"},
        timeout=30,
    )
    assert forged.status_code == 403


def test_the_edge_fixture_has_no_lambda_at_edge_problems(edge):
    assert [e for e in edge.cloud.endpoints["errors"] if "Lambda@Edge" in e] == []


def test_lambda_at_edge_problems_are_reported_at_deployment(tmp_path):
    from pathlib import Path

    from localcloud.edge.config import parse_distribution
    from localcloud.edge.service import Edge
    from localcloud.model import Deployment, FunctionSpec, Resource

    arn = "arn:aws:lambda:eu-west-1:123456789012:function:gate"
    deployment = Deployment(region="eu-west-1", account_id="123456789012", aws_endpoint="")
    deployment.functions[arn] = FunctionSpec(
        address="Gate", name="gate", arn=arn, handler="app.gate", runtime="python3.13", code_dir=Path("."),
        environment={"TABLE": "t"},
    )  # fmt: skip
    origin = {"Id": "o", "DomainName": "example.com", "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}
    association = {"EventType": "viewer-request", "LambdaFunctionARN": arn}
    behavior = {"TargetOriginId": "o", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                "LambdaFunctionAssociations": [association]}  # fmt: skip
    config = {"DistributionConfig": {"Origins": [origin], "DefaultCacheBehavior": behavior}}
    deployment.resources.append(Resource("", "Cdn", "AWS::CloudFront::Distribution", config, ref="E1", attrs={}))
    problems = Edge(deployment, cache_dir=tmp_path)._edge_function_problems(parse_distribution("Cdn", "E1", {}, config))
    assert any("environment variables (TABLE)" in p for p in problems)
    assert any("us-east-1" in p for p in problems) and any("numbered version" in p for p in problems)
