"""openapi.yaml, the template's route, the code's request schema, the responses and the sample events agree;
the upload function's cold path stays free of Pillow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from media import schemas

from tests.support.openapi import OpenApi, validator
from tests.templates.cfn import load_template

ROOT = Path(__file__).resolve().parents[2]
MEDIA = OpenApi(ROOT / "services" / "media" / "openapi.yaml")


def test_openapi_routes_equal_the_template_routes():
    resources = load_template("services/media/template.yaml")["Resources"]
    routes = {
        (event["Properties"]["Method"].upper(), event["Properties"]["Path"])
        for resource in resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    }
    assert MEDIA.routes() == routes == {("POST", "/media/uploads")}


def test_the_code_validates_exactly_the_published_request_schema():
    assert MEDIA.schema("CreateUpload") == schemas.CREATE_UPLOAD


def test_the_sample_request_and_an_answer_to_it_follow_the_contract(cloud):
    from tests.media.test_media_handlers import call_upload, sample

    event = sample("create-upload.json")
    validator(MEDIA.schema("CreateUpload")).validate(json.loads(event["body"]))
    status, body = call_upload(event)
    assert status == 201
    validator(MEDIA.schema("Upload")).validate(body)


def test_the_upload_function_imports_neither_pillow_nor_the_thumbnail_code():
    code = (
        "import json, sys\n"
        "from media.handlers import uploads\n"
        "heavy = [m for m in ('PIL', 'media.logic.imaging', 'media.handlers.thumbnails') if m in sys.modules]\n"
        "print(json.dumps(heavy))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("services/media/upload", "layers/shared")),
        "MEDIA_BUCKET": "b",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
