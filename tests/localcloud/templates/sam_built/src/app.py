"""Reports where its dependency (from its requirements.txt) and its layer's code were imported from."""

import helper
import yaml


def handler(event, context):
    return {"yaml": yaml.__file__, "helper": helper.__file__, "greeting": helper.GREETING}
