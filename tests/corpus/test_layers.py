"""Corpus: layers, versions and aliases (serverless-patterns). Their READMEs test in the Lambda console
("choose Test"): locally that is `localcloud invoke Stack/Function`, the control API's invoke."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.localcloud


class TestLambdaLayer:
    """lambda-layer: the function with the PyMySQL layer runs; the same code without it fails with
    "Unable to import module 'app': No module named 'pymysql'", as on Lambda (nothing leaks from the dev
    environment)."""

    APP = "lambda-layer"

    def test_the_function_with_the_layer_succeeds(self, app):
        result = app.invoke("PyMySQLLayerLambdaFunction", {})
        assert result["error"] is None
        assert result["payload"] is True

    def test_the_function_without_the_layer_cannot_import_pymysql(self, app):
        error = app.invoke("PyMySQLNoLayerLambdaFunction", {})["error"]
        assert error["errorType"] == "Runtime.ImportModuleError"
        assert error["errorMessage"] == "Unable to import module 'app': No module named 'pymysql'"


class TestVersionAlias:
    """lambda-version-alias: AutoPublishAlias dev; running the function answers "Hello from Lambda!
    version 1", and the dev alias points at version 1."""

    APP = "lambda-version-alias"

    def test_running_the_function_says_version_1(self, app):
        result = app.invoke("lambdaFunctionAlias", {})
        assert result["error"] is None
        assert json.loads(result["payload"]["body"]) == {"message": "Hello from Lambda! version 1"}

    def test_the_dev_alias_is_version_1(self, app):
        alias = app.resource("lambdaFunctionAliasAliasdev")
        assert alias["type"] == "AWS::Lambda::Alias" and alias["ref"].endswith(":dev")
        lam = app.aws("lambda")
        assert lam.get_alias(FunctionName=app.ref("lambdaFunctionAlias"), Name="dev")["FunctionVersion"] == "1"
        versions = lam.list_versions_by_function(FunctionName=app.ref("lambdaFunctionAlias"))["Versions"]
        assert [v["Version"] for v in versions] == ["$LATEST", "1"]

    def test_invoking_the_dev_alias_runs_version_1(self, app):
        response = app.aws("lambda").invoke(FunctionName=app.ref("lambdaFunctionAlias"), Qualifier="dev")
        assert response["ExecutedVersion"] == "1"
        assert json.loads(json.loads(response["Payload"].read())["body"])["message"] == "Hello from Lambda! version 1"
