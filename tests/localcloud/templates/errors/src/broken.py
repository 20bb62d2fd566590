raise RuntimeError("configuration missing: TABLE_NAME")


def handler(event, context):
    return {}
