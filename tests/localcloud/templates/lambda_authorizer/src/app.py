"""A TOKEN authorizer: "allow" gets an Allow policy for the whole stage, "deny" an explicit Deny, anything
else is Unauthorized. The protected function echoes what the authorizer handed on."""

import json


def authorize(event, context):
    token = event["authorizationToken"]
    print(f"authorizing {token}")
    if token not in ("allow", "deny"):
        raise Exception("Unauthorized")
    api_arn, stage = event["methodArn"].split("/")[:2]
    return {
        "principalId": f"user-{token}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if token == "allow" else "Deny",
                    "Resource": f"{api_arn}/{stage}/*",
                }
            ],
        },
        "context": {"tier": "gold", "quota": 3},
    }


def whoami(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["authorizer"])}
