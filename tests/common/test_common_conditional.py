"""common.conditional: a failed write condition becomes "missing" or "stale", other errors pass through."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from common.conditional import ItemMissing, VersionMismatch, raise_condition_failure


def failed(item: dict | None = None, code: str = "ConditionalCheckFailedException") -> ClientError:
    response = {"Error": {"Code": code, "Message": "x"}}
    if item is not None:
        response["Item"] = item
    return ClientError(response, "UpdateItem")


def test_an_old_item_with_a_version_is_stale_in_wire_or_decoded_form():
    for old in ({"version": {"N": "3"}}, {"version": 3}):
        with pytest.raises(VersionMismatch) as raised:
            raise_condition_failure(failed(old), "k", 2, lambda: pytest.fail("no read needed"))
        assert raised.value.current_version == 3


def test_no_old_item_is_missing_or_when_a_version_was_expected_one_read_decides():
    with pytest.raises(ItemMissing):
        raise_condition_failure(failed(), "k", None, lambda: pytest.fail("no read needed"))
    with pytest.raises(ItemMissing):
        raise_condition_failure(failed(), "k", 2, lambda: None)
    with pytest.raises(VersionMismatch):
        raise_condition_failure(failed(), "k", 2, lambda: 5)


def test_other_errors_are_raised_unchanged():
    error = failed(code="ProvisionedThroughputExceededException")
    with pytest.raises(ClientError) as raised:
        raise_condition_failure(error, "k", 2, lambda: 5)
    assert raised.value is error
