"""The updates distribution as CloudFront would receive it, under the parameters an operator can set."""

from __future__ import annotations

import pytest

from localcloud.edge.cachekey import cache_key
from localcloud.edge.config import parse_distribution
from localcloud.edge.model import EdgeRequest
from localcloud.edge.policies import cache_policy_from_cfn
from tests.templates.cfn import load_template, sam_transform
from tests.updates.resolved import ORIGIN, TEMPLATE, cache_policy, distribution, resolved

POLICIES = ("UpdateFilesCachePolicy", "ManifestCachePolicy")


def test_the_stack_creates_nothing_on_the_origin_side():
    """The origin is only named: the stack holds the CDN, its policies, the optional log bucket and SSM."""
    types = {r["Type"] for r in resolved(EnableLogging="true").values()}
    assert types == {
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "AWS::SSM::Parameter",
    }


def test_the_origin_is_the_existing_domain_with_its_protocol_and_ports():
    (origin,) = distribution(OriginProtocolPolicy="http-only", OriginHttpPort=8080)["Origins"]
    assert origin["DomainName"] == ORIGIN["OriginDomainName"]
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "http-only"
    assert origin["CustomOriginConfig"]["HTTPPort"] == 8080
    assert origin["CustomOriginConfig"]["HTTPSPort"] == 443
    assert "OriginPath" not in origin and "OriginCustomHeaders" not in origin and "OriginShield" not in origin


def test_origin_path_and_shared_secret_only_when_given():
    (origin,) = distribution(OriginPath="/downloads", OriginSecret="s3cret")["Origins"]
    assert origin["OriginPath"] == "/downloads"
    assert origin["OriginCustomHeaders"] == [{"HeaderName": "X-Origin-Verify", "HeaderValue": "s3cret"}]
    assert load_template(TEMPLATE)["Parameters"]["OriginSecret"]["NoEcho"] is True


@pytest.mark.parametrize("name", POLICIES)
def test_the_cache_key_is_the_path_alone_by_default(name):
    params = cache_policy(name)["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert params["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    assert params["CookiesConfig"] == {"CookieBehavior": "none"}
    assert params["EnableAcceptEncodingGzip"] is True and params["EnableAcceptEncodingBrotli"] is True


@pytest.mark.parametrize("name", POLICIES)
def test_query_strings_and_cookies_enter_the_key_only_by_parameter(name):
    every = cache_policy(name, CacheKeyQueryStrings="all", CacheKeyCookies="all")
    assert every["ParametersInCacheKeyAndForwardedToOrigin"]["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert every["ParametersInCacheKeyAndForwardedToOrigin"]["CookiesConfig"] == {"CookieBehavior": "all"}
    listed = cache_policy(name, CacheKeyQueryStrings="arch,channel", CacheKeyCookies="beta")
    params = listed["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["QueryStringsConfig"] == {"QueryStringBehavior": "whitelist", "QueryStrings": ["arch", "channel"]}
    assert params["CookiesConfig"] == {"CookieBehavior": "whitelist", "Cookies": ["beta"]}


def test_update_files_are_kept_long_and_manifests_briefly_in_their_own_behaviour():
    files = cache_policy("UpdateFilesCachePolicy")
    assert (files["MinTTL"], files["DefaultTTL"], files["MaxTTL"]) == (86400, 31536000, 31536000)
    manifests = cache_policy("ManifestCachePolicy", ManifestTtl=30)
    assert (manifests["MinTTL"], manifests["DefaultTTL"], manifests["MaxTTL"]) == (30, 30, 30)
    config = distribution(ManifestPathPattern="*.yml")
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == "UpdateFilesCachePolicy"
    (manifest,) = config["CacheBehaviors"]
    assert manifest["PathPattern"] == "*.yml"
    assert manifest["CachePolicyId"] == "ManifestCachePolicy"


def test_compression_http2_and_3_read_only_methods_and_the_headers_policy():
    config = distribution()
    assert config["HttpVersion"] == "http2and3"
    assert config["IPV6Enabled"] is True
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["Compress"] is True
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]
        assert behavior["ResponseHeadersPolicyId"] == "ResponseHeadersPolicy"
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    headers = resolved()["ResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert headers["SecurityHeadersConfig"]["ContentTypeOptions"] == {"Override": True}
    assert {item["Header"] for item in headers["RemoveHeadersConfig"]["Items"]} == {"Server", "X-Powered-By"}


def test_errors_are_cached_only_for_the_error_caching_ttl():
    errors = distribution(ErrorCachingMinTtl=5)["CustomErrorResponses"]
    assert {e["ErrorCode"] for e in errors} == {404, 500, 502, 503, 504}
    assert all(e == {"ErrorCode": e["ErrorCode"], "ErrorCachingMinTTL": 5} for e in errors)


def test_origin_shield_is_optional():
    assert "OriginShield" not in distribution()["Origins"][0]
    (origin,) = distribution(EnableOriginShield="true", OriginShieldRegion="eu-west-1")["Origins"]
    assert origin["OriginShield"] == {"Enabled": True, "OriginShieldRegion": "eu-west-1"}


def test_logging_is_off_by_default_and_creates_no_bucket():
    assert "Logging" not in distribution()
    assert "LogBucket" not in resolved() and "LogBucketNameParameter" not in resolved()


def test_logging_goes_to_a_private_bucket_whose_acls_cloudfront_can_use():
    resources = resolved(EnableLogging="true")
    logging = resources["Distribution"]["Properties"]["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == "LogBucket.DomainName"
    assert logging["Prefix"].endswith("/") and logging["IncludeCookies"] is False
    bucket = resources["LogBucket"]["Properties"]
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"  # standard logging cannot write to SSE-KMS buckets without a key policy
    }
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90
    (deny,) = resources["LogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    raw = load_template(TEMPLATE)["Resources"]["LogBucket"]
    assert raw["DeletionPolicy"] == raw["UpdateReplacePolicy"] == "Retain"


def test_an_alias_brings_its_certificate_and_the_default_certificate_otherwise():
    assert distribution()["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert "Aliases" not in distribution()
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    config = distribution(Alias="updates.example.com", CertificateArn=arn)
    assert config["Aliases"] == ["updates.example.com"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == arn
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"


def test_every_output_is_in_ssm_under_the_service():
    names = {
        r["Properties"]["Name"] for r in resolved(EnableLogging="true").values() if r["Type"] == "AWS::SSM::Parameter"
    }
    outputs = load_template(TEMPLATE)["Outputs"]
    assert names == {f"/platform/dev/updates/{output}" for output in outputs}


def test_the_root_nests_updates_only_when_an_origin_is_named():
    root = load_template("template.yaml")
    updates = root["Resources"]["Updates"]
    assert updates["Condition"] == "HasUpdatesOrigin"
    assert set(updates["Properties"]["Parameters"]) <= set(load_template(TEMPLATE)["Parameters"])
    assert root["Parameters"]["UpdatesOriginDomainName"]["Default"] == ""
    assert root["Parameters"]["UpdatesOriginSecret"]["NoEcho"] is True
    transformed = sam_transform("template.yaml")
    assert transformed["Resources"]["Updates"]["Type"] == "AWS::CloudFormation::Stack"


# The distribution through the local edge's own parsers --------------------------------------------


def _edge(**overrides):
    resources = resolved(**overrides)
    config = resources["Distribution"]["Properties"]
    served = parse_distribution("Updates/Distribution", "E1", {"DomainName": "d1.cloudfront.net"}, config)
    policies = {
        name: cache_policy_from_cfn(resources[name]["Properties"]["CachePolicyConfig"], policy_id=name)
        for name in POLICIES
    }
    return served, policies


def _key(policy, path: str, query: str = "", cookie: str | None = None) -> str:
    headers = [("Cookie", cookie)] if cookie else []
    return cache_key(EdgeRequest("GET", path, query, headers), policy, host="d1.cloudfront.net")


def test_the_edge_routes_manifests_and_files_to_their_policies():
    served, _ = _edge()
    assert served.behavior_for("/channels/stable/latest.json").cache_policy_id == "ManifestCachePolicy"
    assert served.behavior_for("/releases/1.2.0/app.bin").cache_policy_id == "UpdateFilesCachePolicy"


@pytest.mark.parametrize("name", POLICIES)
def test_query_strings_and_cookies_do_not_fragment_the_cache_by_default(name):
    policy = _edge()[1][name]
    path = "/releases/1.0.0/app.bin"
    assert _key(policy, path) == _key(policy, path, "token=1") == _key(policy, path, "token=2", "session=x")


@pytest.mark.parametrize("name", POLICIES)
def test_query_strings_and_cookies_fragment_the_cache_when_enabled(name):
    policy = _edge(CacheKeyQueryStrings="all", CacheKeyCookies="all")[1][name]
    path = "/releases/1.0.0/app.bin"
    assert len({_key(policy, path), _key(policy, path, "arch=x64"), _key(policy, path, "", "beta=1")}) == 3
    listed = _edge(CacheKeyQueryStrings="arch")[1][name]
    assert _key(listed, path, "arch=x64&token=1") == _key(listed, path, "arch=x64&token=2")
    assert _key(listed, path, "arch=x64") != _key(listed, path, "arch=arm64")
