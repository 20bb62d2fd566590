"""Template tests for services/todos, services/identity and the root, through the SAM transform."""

from __future__ import annotations

import re

import pytest

from tests.templates.cfn import ROOT, STACK_TEMPLATES, DictPolicyLoader, load_template, package_locally, sam_transform

SERVICES = {
    "todos": "services/todos/template.yaml",
    "identity": "services/identity/template.yaml",
    "media": "services/media/template.yaml",
    "updates": "services/updates/template.yaml",
    "blog": "services/blog/template.yaml",
    "subscribers": "services/subscribers/template.yaml",
}
USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc123"


def resources_of(template: dict, type_: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == type_}


@pytest.fixture(scope="module")
def todos():
    return sam_transform(SERVICES["todos"], {"UserPoolArnParameter": USER_POOL_ARN})


@pytest.fixture(scope="module")
def identity():
    return sam_transform(SERVICES["identity"])


@pytest.mark.parametrize("relative", STACK_TEMPLATES)
def test_every_template_transforms_without_aws(relative):
    """The root, the layers stack and every service alone (whatever services/ holds)."""
    loader = DictPolicyLoader()
    from samtranslator.translator.transform import transform

    out = transform(package_locally(load_template(relative)), {}, loader)
    assert "Transform" not in out
    assert not [r for r in out["Resources"].values() if r["Type"].startswith("AWS::Serverless::")]


def test_functions_are_arm64_python313(todos):
    functions = resources_of(todos, "AWS::Lambda::Function")
    # the custom resource's function (EnableApiCache=true only) serves deploys, not the API
    setup = functions.pop("StageCacheControlFunction")["Properties"]
    assert (setup["Runtime"], setup["Architectures"]) == ("python3.13", ["arm64"])
    assert set(functions) == {"ReadTodosFunction", "WriteTodosFunction"}
    for function in functions.values():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert set(props["Environment"]["Variables"]) >= {
            "TABLE_NAME",
            "DAX_ENDPOINT",
            "CURSOR_KEY",
            "POWERTOOLS_SERVICE_NAME",
        }


def test_handlers_exist():
    """Each Handler names a module under CodeUri that defines it (checked without importing it)."""
    import ast

    template = load_template(SERVICES["todos"])
    code_uri = ROOT / "services/todos" / template["Globals"]["Function"]["CodeUri"]
    for function in resources_of(template, "AWS::Serverless::Function").values():
        module, _, attribute = function["Properties"]["Handler"].rpartition(".")
        source = code_uri / (module.replace(".", "/") + ".py")
        names = {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
        assert attribute in names, function["Properties"]["Handler"]


def _swagger(todos):
    return todos["Resources"]["TodosApi"]["Properties"]["Body"]


@pytest.mark.parametrize("path", ["/todos", "/todos/{todoId}"])
def test_cached_get_methods_key_on_the_caller(todos, path):
    integration = _swagger(todos)["paths"][path]["get"]["x-amazon-apigateway-integration"]
    assert "method.request.header.Authorization" in integration["cacheKeyParameters"]


def test_list_cache_key_includes_every_query_parameter(todos):
    keys = _swagger(todos)["paths"]["/todos"]["get"]["x-amazon-apigateway-integration"]["cacheKeyParameters"]
    assert {f"method.request.querystring.{name}" for name in ("limit", "cursor", "done")} <= set(keys)
    keys = _swagger(todos)["paths"]["/todos/{todoId}"]["get"]["x-amazon-apigateway-integration"]["cacheKeyParameters"]
    assert "method.request.path.todoId" in keys


def test_every_route_uses_the_cognito_authorizer(todos):
    swagger = _swagger(todos)
    authorizer = swagger["securityDefinitions"]["CognitoAuthorizer"]
    assert authorizer["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [USER_POOL_ARN],
    }
    for path, item in swagger["paths"].items():
        for method, operation in item.items():
            if method != "options":
                assert operation["security"] == [{"CognitoAuthorizer": []}], (method, path)


def _statements(policy):
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _sub_text(value) -> str:
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return text[0] if isinstance(text, list) else text


def _substituted(text: str) -> str:
    """What Fn::Sub leaves of `${!x}`: the literal `${x}` IAM evaluates per request."""
    return text.replace("${!", "${")


def test_user_folder_policy_uses_the_identity_id(todos):
    statements = _statements(todos["Resources"]["UserFolderPolicy"])
    objects = statements["OwnFolderObjects"]
    assert set(objects["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    resource = _substituted(_sub_text(objects["Resource"]))
    assert resource.endswith("/private/${cognito-identity.amazonaws.com:sub}/*")
    assert "${FilesBucket.Arn}" in resource


def test_list_bucket_is_limited_to_the_own_prefix(todos):
    listing = _statements(todos["Resources"]["UserFolderPolicy"])["ListOwnFolderOnly"]
    assert listing["Action"] == "s3:ListBucket"
    prefixes = [_substituted(_sub_text(p)) for p in listing["Condition"]["StringLike"]["s3:prefix"]]
    assert prefixes == [
        "private/${cognito-identity.amazonaws.com:sub}/",
        "private/${cognito-identity.amazonaws.com:sub}/*",
    ]


def test_user_folder_policy_never_uses_the_user_pool_sub(todos):
    text = str(todos["Resources"]["UserFolderPolicy"])
    assert "cognito-idp" not in text
    assert "${aws:userid}" not in text


def test_files_bucket_is_private_and_tls_only(todos):
    bucket = todos["Resources"]["FilesBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    deny = _statements(todos["Resources"]["FilesBucketPolicy"])["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_read_function_cannot_write(todos):
    actions = set()
    policies = []
    for policy in todos["Resources"]["ReadTodosFunctionRole"]["Properties"]["Policies"]:
        branches = policy["Fn::If"][1:] if "Fn::If" in policy else [policy]
        policies += [b for b in branches if isinstance(b, dict) and "PolicyDocument" in b]
    assert len(policies) == 2
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            action = statement["Action"]
            actions.update([action] if isinstance(action, str) else action)
    assert "dynamodb:Query" in actions
    assert not {a for a in actions if re.search(r"(Put|Update|Delete|Write)", a)}


def test_table_keys_match_the_code():
    props = load_template(SERVICES["todos"])["Resources"]["TodosTable"]["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_identity_client_flows(identity):
    client = identity["Resources"]["AppClient"]["Properties"]
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["GenerateSecret"] is False
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_identity_groups(identity):
    groups = {
        g["Properties"]["GroupName"]: g["Properties"]
        for g in resources_of(identity, "AWS::Cognito::UserPoolGroup").values()
    }
    assert set(groups) == {"admins", "users"}
    assert groups["admins"]["Precedence"] < groups["users"]["Precedence"]


def test_identity_pool_is_authenticated_only(identity):
    pool = identity["Resources"]["IdentityPool"]["Properties"]
    assert pool["AllowUnauthenticatedIdentities"] is False
    trust = identity["Resources"]["AuthenticatedRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"]["ForAnyValue:StringLike"] == {"cognito-identity.amazonaws.com:amr": "authenticated"}
    assert trust["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] == {"Ref": "IdentityPool"}
    roles = identity["Resources"]["IdentityPoolRoles"]["Properties"]["Roles"]
    assert set(roles) == {"authenticated"}


def _ssm_parameters(template: dict) -> dict[str, dict]:
    return resources_of(template, "AWS::SSM::Parameter")


@pytest.mark.parametrize("service", SERVICES)
def test_ssm_parameters_live_under_app_env_service(service):
    template = load_template(SERVICES[service])
    parameters = _ssm_parameters(template)
    assert parameters
    for name, parameter in parameters.items():
        path = parameter["Properties"]["Name"]["Fn::Sub"]
        assert path.startswith(f"/${{AppName}}/${{EnvName}}/{service}/"), name


def _output_cases():
    cases = []
    for service, relative in SERVICES.items():
        template = load_template(relative)
        ssm_names = set(_ssm_parameters(template))
        for output, spec in template["Outputs"].items():
            if spec["Value"] in ({"Ref": n} for n in ssm_names):
                continue  # the output is itself an SSM parameter name
            cases.append(pytest.param(service, output, id=f"{service}-{output}"))
    return cases


@pytest.mark.parametrize(("service", "output"), _output_cases())
def test_every_output_is_written_to_ssm(service, output):
    template = load_template(SERVICES[service])
    value = template["Outputs"][output]["Value"]
    written = {p["Properties"]["Name"]["Fn::Sub"]: p["Properties"]["Value"] for p in _ssm_parameters(template).values()}
    path = f"/${{AppName}}/${{EnvName}}/{service}/{output}"
    assert path in written, f"{service} output {output} has no SSM parameter {path}"
    assert written[path] == value


def test_root_nests_every_service_and_shares_the_layer():
    root = load_template("template.yaml")
    apps = resources_of(root, "AWS::Serverless::Application")
    for app in apps.values():
        assert (ROOT / app["Properties"]["Location"]).is_file()
    # subscribers' feed from BlogEvents is its own nested app, after the blog (see feed.yaml)
    expected = {*SERVICES.values(), "layers/template.yaml", "services/subscribers/feed.yaml"}
    assert {app["Properties"]["Location"] for app in apps.values()} == expected
    layers = load_template("layers/template.yaml")
    layer = layers["Resources"]["SharedLayer"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    assert layers["Resources"]["SharedLayerArnParameter"]["Properties"]["Name"] == {
        "Fn::Sub": "/${AppName}/${EnvName}/shared/LayerArn"
    }


def test_root_passes_identity_outputs_as_ssm_names_to_todos():
    root = sam_transform("template.yaml")
    todos = root["Resources"]["Todos"]
    assert todos["Type"] == "AWS::CloudFormation::Stack"
    params = todos["Properties"]["Parameters"]
    assert params["UserPoolArnParameter"] == {"Fn::GetAtt": ["Identity", "Outputs.UserPoolArnParameter"]}
    assert params["LayerArnParameter"] == {"Fn::GetAtt": ["Layers", "Outputs.SharedLayerArnParameter"]}
    identity_outputs = load_template(SERVICES["identity"])["Outputs"]
    for value in params.values():
        if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][0] == "Identity":
            assert value["Fn::GetAtt"][1].removeprefix("Outputs.") in identity_outputs
    todos_inputs = load_template(SERVICES["todos"])["Parameters"]
    assert set(params) <= set(todos_inputs)
