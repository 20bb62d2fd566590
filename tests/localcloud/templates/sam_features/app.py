"""Handlers of the SAM-features fixture (this folder is the functions' code: they have no CodeUri)."""

import json


def hello(event, context):
    return {"statusCode": 200, "body": json.dumps({"hello": event["path"]})}


def nothing(event, context):
    return None


def powertools(event, context):
    import aws_lambda_powertools

    return {"powertools": aws_lambda_powertools.__file__}


def mapped(event, context):
    import company_utils

    return {"mapped": company_utils.NAME}
