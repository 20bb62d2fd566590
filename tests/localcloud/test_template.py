"""Template loading: CloudFormation tags, samconfig parameters, the SAM transform around local paths."""

from pathlib import Path

import pytest

from localcloud.template import TemplateError, load_yaml, samconfig_parameters, transform

SAM_FUNCTION = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
      Environment:
        Variables:
          NAME: !Sub "${Env}-${AWS::Region}"
          ARN: !GetAtt Queue.Arn
  Queue:
    Type: AWS::SQS::Queue
"""


def test_short_tags_become_long_form(tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_text(SAM_FUNCTION)
    data = load_yaml(path)
    variables = data["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]
    assert variables == {"NAME": {"Fn::Sub": "${Env}-${AWS::Region}"}, "ARN": {"Fn::GetAtt": ["Queue", "Arn"]}}


def test_transform_keeps_local_code_paths(tmp_path: Path):
    (tmp_path / "src").mkdir()
    path = tmp_path / "t.yaml"
    path.write_text(SAM_FUNCTION)
    stack = transform(path, {"Env": "dev"})
    function = stack.template["Resources"]["Fn"]
    assert function["Type"] == "AWS::Lambda::Function"
    assert stack.code_paths[function["Properties"]["Code"]["S3Key"]] == (tmp_path / "src").resolve()
    assert "FnRole" in stack.template["Resources"]


def test_malformed_yaml_names_the_file(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("Resources:\n  A: [unclosed\n")
    with pytest.raises(TemplateError, match=r"broken\.yaml"):
        load_yaml(path)


def test_invalid_sam_resource_names_the_resource(tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  BadFn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      CodeUri: s3://b/k.zip\n"
        "      Events:\n        Q:\n          Type: SQS\n          Properties: {}\n"
    )
    with pytest.raises(TemplateError, match="BadFn"):
        transform(path, {})


def test_samconfig_local_env_parameters(tmp_path: Path):
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[local.deploy.parameters]\nparameter_overrides = "AppName=platform EnvName=\\"local env\\""\n'
    )
    assert samconfig_parameters(tmp_path) == {"AppName": "platform", "EnvName": "local env"}


def test_libyaml_loader_reads_every_template_as_the_python_parser_does():
    """Templates load with libyaml's parser when PyYAML has it; the documents must not change."""
    import yaml

    from localcloud import template

    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: the pure-Python parser is the only one")

    class PythonParsed(yaml.SafeLoader):
        yaml_implicit_resolvers = template._CfnLoader.yaml_implicit_resolvers

    PythonParsed.add_multi_constructor("!", template._construct_tag)
    root = Path(__file__).resolve().parents[2]
    paths = [
        root / "template.yaml",
        *sorted(root.glob("services/*/*.yaml")),
        *sorted(root.glob("tests/localcloud/templates/*.yaml")),
    ]
    assert issubclass(template._CfnLoader, yaml.CSafeLoader)
    assert len(paths) > 10
    for path in paths:
        text = path.read_text()
        assert yaml.load(text, Loader=template._CfnLoader) == yaml.load(text, Loader=PythonParsed), path  # noqa: S506
