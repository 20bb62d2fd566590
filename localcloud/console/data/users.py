"""Cognito users for the data browser: status, attributes and groups; confirm, disable and enable.

These are the admin calls a developer makes by hand with the AWS CLI after a local sign-up; the
console makes them from a button (a guarded POST).
"""

from __future__ import annotations

from typing import Any

ACTIONS = {
    "confirm": "admin_confirm_sign_up",
    "disable": "admin_disable_user",
    "enable": "admin_enable_user",
}


def pool(idp: Any, pool_id: str) -> dict:
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    groups = []
    for page in idp.get_paginator("list_groups").paginate(UserPoolId=pool_id):
        groups += [{"name": g["GroupName"], "description": g.get("Description") or ""} for g in page["Groups"]]
    return {"id": pool_id, "name": described.get("Name") or pool_id, "groups": groups}


def users(idp: Any, pool_id: str) -> list[dict]:
    found = []
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page.get("Users") or []:
            name = user["Username"]
            groups = idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=name).get("Groups") or []
            found.append(
                {
                    "username": name,
                    "status": user.get("UserStatus"),
                    "enabled": bool(user.get("Enabled", True)),
                    "created": user.get("UserCreateDate"),
                    "attributes": {a["Name"]: a.get("Value") for a in user.get("Attributes") or []},
                    "groups": sorted(g["GroupName"] for g in groups),
                }
            )
    return found


def count(idp: Any, pool_id: str) -> int:
    return int(idp.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("EstimatedNumberOfUsers") or 0)


def act(idp: Any, pool_id: str, username: str, action: str) -> None:
    """Run one of ACTIONS on a user (raises ValueError for another action)."""
    method = ACTIONS.get(action)
    if method is None:
        raise ValueError(f"unknown user action {action!r}; one of {', '.join(ACTIONS)}")
    getattr(idp, method)(UserPoolId=pool_id, Username=username)
