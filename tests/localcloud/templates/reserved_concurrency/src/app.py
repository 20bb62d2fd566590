import json
import os
import time


def handler(event, context):
    time.sleep(1)
    return {"statusCode": 200, "body": json.dumps({"pid": os.getpid()})}
