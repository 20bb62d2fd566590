"""A Firehose processor: upper-cases each record, drops those that say "drop" and fails those that say
"fail"; "crash" in any record fails the whole invocation."""

import base64


def handler(event, context):
    out = []
    for record in event["records"]:
        text = base64.b64decode(record["data"]).decode()
        if "crash" in text:
            raise RuntimeError("asked to crash")
        result = "Dropped" if "drop" in text else "ProcessingFailed" if "fail" in text else "Ok"
        data = base64.b64encode(text.upper().encode()).decode()
        out.append({"recordId": record["recordId"], "result": result, "data": data})
    return {"records": out}
