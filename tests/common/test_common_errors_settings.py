"""common.errors and common.settings."""

from __future__ import annotations

import json

import pytest
from common import errors
from common.settings import ConfigError, Var, load


@pytest.mark.parametrize(
    ("cls", "status"),
    [(errors.BadRequest, 400), (errors.Unauthorized, 401), (errors.Forbidden, 403), (errors.NotFound, 404),
     (errors.Conflict, 409), (errors.PreconditionFailed, 412), (errors.PayloadTooLarge, 413),
     (errors.UnsupportedMediaType, 415), (errors.TooManyRequests, 429)],
)  # fmt: skip
def test_error_responses(cls, status):
    response = cls("why", code="Specific").to_response({"X-Extra": "1"})
    assert response["statusCode"] == status
    assert response["headers"] == {"Content-Type": "application/json", "X-Extra": "1"}
    assert json.loads(response["body"]) == {"message": "why", "code": "Specific"}
    assert cls("why").body()["code"] == cls.code


def test_settings_parse_types_and_defaults():
    spec = [Var("NAME"), Var("COUNT", int, default=3), Var("FLAG", bool, default=False), Var("OPT", required=False)]
    assert load(spec, {"NAME": "n", "FLAG": "yes"}) == {"NAME": "n", "COUNT": 3, "FLAG": True, "OPT": None}
    assert load(spec, {"NAME": "n", "COUNT": "7", "FLAG": "off"})["COUNT"] == 7


def test_settings_report_all_problems_at_once():
    spec = [Var("A"), Var("B", int), Var("C", bool)]
    with pytest.raises(ConfigError) as caught:
        load(spec, {"B": "seven", "C": "perhaps"})
    message = str(caught.value)
    assert "A is not set" in message and "B:" in message and "C:" in message
