"""The todos use cases: validation, ownership, versions and cursors; no HTTP and no boto3."""
