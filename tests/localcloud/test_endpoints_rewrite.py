"""An API's AWS URL, wherever a client or a function finds it (an output, a function's variable, an SSM
parameter the stack wrote), points at the API's local URL; anything else is left as written."""

from __future__ import annotations

from localcloud.endpoints import rewrite_api_urls
from localcloud.model import Deployment, Resource

LOCAL = "http://127.0.0.1:4566"


class Ssm:
    """Records what would be written to SSM."""

    def __init__(self):
        self.written: dict[str, str] = {}

    def put_parameter(self, *, Name, Value, Type, Overwrite):
        assert Type == "String" and Overwrite
        self.written[Name] = Value


def deployment() -> Deployment:
    d = Deployment(region="us-east-1", account_id="123456789012", aws_endpoint="http://aws")
    d.resources = [
        Resource("Blog", "BlogApi", "AWS::ApiGateway::RestApi", {}, ref="abc123"),
        Resource("Blog", "ApiUrlParameter", "AWS::SSM::Parameter",
                 {"Name": "/p/e/blog/ApiUrl", "Type": "String",
                  "Value": "https://abc123.execute-api.us-east-1.amazonaws.com/api"}, ref="/p/e/blog/ApiUrl"),
        Resource("Blog", "SiteUrlParameter", "AWS::SSM::Parameter",
                 {"Name": "/p/e/blog/SiteUrl", "Type": "String", "Value": "https://d111.cloudfront.net"},
                 ref="/p/e/blog/SiteUrl"),
        Resource("Blog", "Other", "AWS::SSM::Parameter",
                 {"Name": "/p/e/blog/Other", "Type": "String",
                  "Value": "https://zzz999.execute-api.us-east-1.amazonaws.com/api"}, ref="/p/e/blog/Other"),
    ]  # fmt: skip
    d.outputs = {"Blog": {"ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/api"}}
    return d


def test_an_ssm_parameter_naming_an_api_of_the_app_gets_its_local_url_and_the_others_stay():
    ssm, d = Ssm(), deployment()
    rewrite_api_urls(d, LOCAL, ssm)
    assert ssm.written == {"/p/e/blog/ApiUrl": f"{LOCAL}/abc123/api"}
    assert d.outputs["Blog"]["ApiUrl"] == f"{LOCAL}/abc123/api"


def test_without_an_ssm_client_only_outputs_and_variables_change():
    d = deployment()
    rewrite_api_urls(d, LOCAL)
    assert d.outputs["Blog"]["ApiUrl"] == f"{LOCAL}/abc123/api"
