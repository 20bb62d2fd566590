"""Which requests can change what the saved state holds, decided from headers alone (no body parsing).

The answer only has to err on the side of "yes": a false yes costs one extra save, a false no could lose
a write on a crash. Reads that pollers repeat all day (ReceiveMessage, GetRecords, GetShardIterator,
Describe*) must say no, or an idle app would save every second.
"""

from __future__ import annotations

_READ_PREFIXES = (
    "Get", "List", "Describe", "Query", "Scan", "BatchGet", "Receive", "Head", "Lookup", "Search", "Select",
    "Check", "Test", "Validate", "Estimate", "Simulate", "AdminGet", "AdminList",
)  # fmt: skip
# Named like reads, but they create state (identities, credentials, tokens, verification codes).
_WRITING_READS = frozenset(
    {"GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "GetOpenIdTokenForDeveloperIdentity",
     "GetUserAttributeVerificationCode"}
)  # fmt: skip
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def mutates(environ: dict) -> bool:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        operation = target.rsplit(".", 1)[-1]
        return operation in _WRITING_READS or not operation.startswith(_READ_PREFIXES)
    return environ.get("REQUEST_METHOD", "GET").upper() not in _READ_METHODS
