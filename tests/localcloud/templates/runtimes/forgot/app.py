"""Imports PyYAML, which the dev venv has but this function's package never declares (no requirements.txt)."""

import yaml


def handler(event, context):
    return {"yaml": yaml.__version__}
