"""Fake AWS credentials for in-process service tests.

Service settings are read at import (as on a Lambda cold start), so each service's conftest runs
`os.environ.update(FAKE_AWS_ENV)` before it imports any handler; one table keeps the set the same for every service
and makes sure no test reaches real AWS.
"""

from __future__ import annotations

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
