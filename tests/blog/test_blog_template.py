"""The blog's template: what the SAM transform makes of it, the distribution's security, and the
viewer-request CloudFront Function run in the same QuickJS engine the local edge uses."""

from __future__ import annotations

import pytest
from blog.site import CONTENT_SECURITY_POLICY

from localcloud.edge.cf_functions import CloudFrontFunction
from tests.templates.cfn import ROOT, load_template, sam_transform

TEMPLATE = "services/blog/template.yaml"
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc123"


@pytest.fixture(scope="module")
def raw():
    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def transformed():
    return sam_transform(TEMPLATE, {"UserPoolArnParameter": POOL})


def distribution(raw) -> dict:
    return raw["Resources"]["Cdn"]["Properties"]["DistributionConfig"]


def test_the_response_headers_policy_sends_exactly_the_sites_csp(raw):
    config = raw["Resources"]["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert config["ContentSecurityPolicy"]["ContentSecurityPolicy"] == CONTENT_SECURITY_POLICY
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert config["FrameOptions"]["FrameOption"] == "DENY" and config["ContentTypeOptions"]["Override"]


def test_the_bucket_is_private_and_only_this_distribution_reads_it(raw):
    bucket = raw["Resources"]["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    allow = raw["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert list(allow["Condition"]["StringEquals"]) == ["AWS:SourceArn"]
    site = distribution(raw)["Origins"][0]
    assert site["OriginAccessControlId"] == {"Ref": "SiteAccess"}


def test_behaviours_cache_assets_long_html_short_and_never_previews_or_admin_calls(raw):
    behaviours = {b["PathPattern"]: b for b in distribution(raw)["CacheBehaviors"] if "PathPattern" in b}
    assert behaviours["/preview/*"]["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert behaviours["/api/*"]["TargetOriginId"] == "api"
    policies = raw["Resources"]
    assets = policies["AssetCachePolicy"]["Properties"]["CachePolicyConfig"]
    html = policies["HtmlCachePolicy"]["Properties"]["CachePolicyConfig"]
    api = policies["ApiCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert assets["DefaultTTL"] == 31536000 and html["MaxTTL"] <= 3600 and api["DefaultTTL"] == 0
    assert api["MinTTL"] == 0  # so the admin calls' no-store is honoured
    guard = behaviours["/preview/*"]["LambdaFunctionAssociations"][0]
    assert guard["EventType"] == "viewer-request"
    edge = policies["PreviewGuardFunction"]["Properties"]
    assert "Environment" not in edge and "Layers" not in edge and edge["Architectures"] == ["x86_64"]


def test_the_transform_makes_the_functions_queues_and_every_output_an_ssm_parameter(transformed, raw):
    functions = {n for n, r in transformed["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
    assert functions == {"ReadPostsFunction", "WritePostsFunction", "PublishEventsFunction", "RenderSiteFunction",
                         "PreviewGuardFunction", "AggregateViewsFunction", "AttachCoverFunction"}  # fmt: skip
    sources = [r for r in transformed["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    mappings = {r["Properties"]["FunctionName"]["Ref"]: r["Properties"] for r in sources}
    stream = mappings["PublishEventsFunction"]
    assert stream["BisectBatchOnFunctionError"] and stream["MaximumRetryAttempts"] == 5
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["OutboxFailures", "Arn"]}
    assert mappings["RenderSiteFunction"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert raw["Resources"]["RenderQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    written = {r["Properties"]["Name"]["Fn::Sub"].rsplit("/", 1)[1]
               for r in raw["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"}  # fmt: skip
    names = {n for n, o in raw["Outputs"].items() if n.endswith("Parameter")}  # SSM names for dependants
    assert set(raw["Outputs"]) - names <= written
    assert {raw["Outputs"][n]["Value"]["Ref"] for n in names} <= set(raw["Resources"])


def test_replica_regions_make_the_table_global(raw):
    table, global_table = raw["Resources"]["PostsTable"], raw["Resources"]["PostsGlobalTable"]
    assert (table["Condition"], global_table["Condition"]) == ("NoReplicas", "HasReplicas")
    for resource in (table, global_table):
        assert resource["DeletionPolicy"] == "Retain"
        assert resource["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert resource["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.fixture(scope="module")
def viewer_request(raw):
    props = raw["Resources"]["ViewerRequestFunction"]["Properties"]
    function = CloudFrontFunction(
        props["FunctionCode"], name="viewer-request", runtime=props["FunctionConfig"]["Runtime"]
    )

    def run(uri: str, querystring: dict | None = None) -> dict:
        event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "203.0.113.1"},
                 "request": {"method": "GET", "uri": uri, "querystring": querystring or {}, "headers": {},
                             "cookies": {}}}  # fmt: skip
        return function.viewer_request(event)

    return run


@pytest.mark.parametrize(
    ("uri", "key"),
    [("/", "/index.html"), ("/posts/hello", "/posts/hello/index.html"),
     ("/tags/caf%C3%A9", "/tags/caf%C3%A9/index.html"), ("/page/2", "/page/2/index.html"), ("/feed.xml", "/feed.xml"),
     ("/assets/site.0123abcd.css", "/assets/site.0123abcd.css"), ("/index.html", "/index.html")],
)  # fmt: skip
def test_pretty_urls_map_to_the_keys_render_site_writes(viewer_request, uri, key):
    assert viewer_request(uri)["uri"] == key


@pytest.mark.parametrize(
    ("uri", "query", "location"),
    [("/posts/hello/", {}, "/posts/hello"), ("/posts/hello/index.html", {}, "/posts/hello"),
     ("/posts/hello//", {}, "/posts/hello"), ("/posts/hello/", {"utm": {"value": "x"}}, "/posts/hello?utm=x")],
)  # fmt: skip
def test_duplicates_redirect_to_the_one_canonical_url(viewer_request, uri, query, location):
    response = viewer_request(uri, query)
    assert response["statusCode"] == 301 and response["headers"]["location"]["value"] == location


def test_media_is_reached_through_its_own_oac_with_the_media_prefix_stripped(raw):
    config = raw["Resources"]["Cdn"]["Properties"]["DistributionConfig"]
    origin = next(o["Fn::If"][1] for o in config["Origins"] if "Fn::If" in o and o["Fn::If"][1]["Id"] == "media")
    assert origin["OriginAccessControlId"] == {"Ref": "MediaAccess"}
    behaviour = next(b["Fn::If"][1] for b in config["CacheBehaviors"] if "Fn::If" in b and b["Fn::If"][0] == "HasMedia")
    assert behaviour["PathPattern"] == "/media/*" and behaviour["TargetOriginId"] == "media"
    (association,) = behaviour["FunctionAssociations"]
    assert association["FunctionARN"] == {"Fn::GetAtt": ["MediaPathFunction", "FunctionMetadata.FunctionARN"]}
    props = raw["Resources"]["MediaPathFunction"]["Properties"]
    function = CloudFrontFunction(props["FunctionCode"], name="media-path", runtime=props["FunctionConfig"]["Runtime"])
    event = {"version": "1.0", "context": {"eventType": "viewer-request"}, "viewer": {"ip": "203.0.113.1"},
             "request": {"method": "GET", "uri": "/media/renditions/abc/800.webp", "querystring": {},
                         "headers": {}, "cookies": {}}}  # fmt: skip
    assert function.viewer_request(event)["uri"] == "/renditions/abc/800.webp"


def test_the_subscribers_api_is_served_under_api_subscribers_before_the_posts_api_and_never_cached(raw):
    config = distribution(raw)
    [origin] = [o["Fn::If"][1] for o in config["Origins"] if "Fn::If" in o and o["Fn::If"][0] == "HasSubscribers"]
    assert origin["Id"] == "subscribers" and origin["DomainName"] == {"Ref": "SubscribersApiDomainName"}
    assert "OriginPath" not in origin  # its stage is `api`: /api/subscribers/… is its route /subscribers/…
    patterns = [b["Fn::If"][1]["PathPattern"] if "Fn::If" in b else b["PathPattern"] for b in config["CacheBehaviors"]]
    assert patterns.index("/api/subscribers*") < patterns.index("/api/*")  # CloudFront takes the first match
    [behaviour] = [
        b["Fn::If"][1] for b in config["CacheBehaviors"] if "Fn::If" in b and b["Fn::If"][0] == "HasSubscribers"
    ]
    assert behaviour["TargetOriginId"] == "subscribers" and "POST" in behaviour["AllowedMethods"]
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert raw["Parameters"]["SubscribersApiDomainName"]["Default"] == ""
    subscribers = load_template("services/subscribers/template.yaml")["Resources"]["SubscribersApi"]
    assert subscribers["Properties"]["StageName"] == "api"


def layer_choices(layers) -> list:
    """Every layer a function may carry: both lists of an `Fn::If` (the DAX switch), or the plain list."""
    if isinstance(layers, dict) and "Fn::If" in layers:
        return [layer for branch in layers["Fn::If"][1:] for layer in layer_choices(branch)]
    return list(layers)


def test_third_party_packages_come_in_layers_only_the_functions_using_them_carry(raw):
    """The blog's own package has no requirements: markdown-it-py + nh3 reach write-posts, Jinja2 render-site,
    each from a layer `sam build` builds from its requirements.txt, so the posts API packages stay tiny."""
    resources = raw["Resources"]
    carriers = {
        layer: sorted(
            name
            for name, resource in resources.items()
            if resource["Type"] == "AWS::Serverless::Function"
            and {"Ref": layer} in layer_choices(resource["Properties"].get("Layers") or [])
        )
        for layer in ("MarkdownLayer", "TemplatesLayer")
    }
    assert carriers == {"MarkdownLayer": ["WritePostsFunction"], "TemplatesLayer": ["RenderSiteFunction"]}
    for layer, package in (("MarkdownLayer", "nh3"), ("TemplatesLayer", "Jinja2")):
        props = resources[layer]
        assert props["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
        folder = ROOT / "services/blog" / props["Properties"]["ContentUri"]
        assert package in (folder / "requirements.txt").read_text()
    own = (ROOT / "services/blog/src/requirements.txt").read_text().splitlines()
    assert [line for line in own if line.strip() and not line.startswith("#")] == []
