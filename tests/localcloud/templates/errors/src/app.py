import json
import os
import time


def good(event, context):
    return {"statusCode": 200, "body": json.dumps({"ok": True, "pid": os.getpid()})}


def crash(event, context):
    os._exit(3)


def sleep(event, context):
    time.sleep(5)
    return {"statusCode": 200, "body": "{}"}
