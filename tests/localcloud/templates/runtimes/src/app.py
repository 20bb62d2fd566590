"""Reports the Python running it and the boto3 it imports (the runtime's, as its package brings none)."""

import sys

import boto3


def handler(event, context):
    return {"version": list(sys.version_info[:2]), "boto3": boto3.__version__, "path": sys.path}
