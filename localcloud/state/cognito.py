"""Users of the template's user pools: passwords, attributes (the `sub` included), status, groups, MFA
flags, and the tokens moto has issued, so a refresh token or an access token from before a restart
still works after it. Groups created at run time come back too; the template's groups are already there.
"""

from __future__ import annotations

from collections.abc import Iterator

from localcloud.state.codec import decode, decode_object, encode, encode_object
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "cognito"
_TOKEN_MAPS = ("refresh_tokens", "access_tokens", "id_tokens")


def save(scope: Scope) -> Iterator[dict]:
    pools = moto_backend(scope, "cognito-idp").user_pools
    for pool_id in sorted(scope.refs("AWS::Cognito::UserPool")):
        pool = pools.get(pool_id)
        if pool is None:
            continue
        users = [
            {"user": encode_object(u, exclude=("groups",)), "groups": sorted(g.group_name for g in u.groups)}
            for u in list(pool.users.values())
        ]
        groups = [encode_object(g, exclude=("users",)) for g in list(pool.groups.values())]
        tokens = {name: encode(dict(getattr(pool, name))) for name in _TOKEN_MAPS}
        yield {"pool": pool_id, "users": users, "groups": groups, "tokens": tokens}


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.cognitoidp.models import CognitoIdpGroup, CognitoIdpUser

    done = Restored()
    pools = moto_backend(scope, "cognito-idp").user_pools
    for record in records:
        pool = pools.get(record["pool"])
        if pool is None:
            dropped = len(record["users"])
            done.skipped.append(f"user pool {record['pool']} no longer exists: its {dropped} users were dropped")
            continue
        for saved in record["groups"]:
            group = decode_object(saved, [CognitoIdpGroup])
            if group.group_name not in pool.groups:
                group.users = set()
                pool.groups[group.group_name] = group
        for saved in record["users"]:
            user = decode_object(saved["user"], [CognitoIdpUser])
            user.groups = set()
            for name in saved["groups"]:
                group = pool.groups.get(name)
                if group is not None:
                    group.users.add(user)
                    user.groups.add(group)
            pool.users[user.username] = user
        for name, tokens in record["tokens"].items():
            getattr(pool, name).update({k: tuple(v) if isinstance(v, list) else v for k, v in decode(tokens).items()})
        done.add("users", len(record["users"]))
    return done
