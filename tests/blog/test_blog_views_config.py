"""aggregate-views and attach-cover settings: every variable named once in SPEC and read into Settings, a
missing table is one clear error at import, and importing a handler creates no AWS client."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from blog.covers import config as covers_config
from blog.views import config as views_config
from common.settings import ConfigError

from tests.blog.views_support import ROOT


@pytest.mark.parametrize("config", [views_config, covers_config])
def test_every_variable_is_a_setting_and_the_table_is_required(config):
    assert len(config.SPEC) == len(dataclasses.fields(config.Settings))
    with pytest.raises(ConfigError, match="POSTS_TABLE is not set"):
        config.load_settings({})
    settings = config.load_settings({"POSTS_TABLE": "posts", "COVERS_TABLE": "covers"})
    assert settings.posts_table == "posts" and settings.service_name == "blog"


def test_the_covers_defaults_match_the_template():
    with pytest.raises(ConfigError, match="COVERS_TABLE is not set"):
        covers_config.load_settings({"POSTS_TABLE": "posts"})
    settings = covers_config.load_settings({"POSTS_TABLE": "posts", "COVERS_TABLE": "covers"})
    assert (settings.cover_index, settings.media_path) == ("CoverIndex", "/media/")


@pytest.mark.parametrize("module", ["blog.views.handler", "blog.covers.handler"])
def test_importing_a_handler_creates_no_client_and_compiles_no_schema(module):
    code = f"import sys, {module}; print(sorted(m for m in ('boto3', 'fastjsonschema') if m in sys.modules))"
    env = {**os.environ, "POSTS_TABLE": "posts", "COVERS_TABLE": "covers"}
    env["PYTHONPATH"] = f"{ROOT}/layers/shared:{ROOT}/services/blog/src"
    loaded = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
