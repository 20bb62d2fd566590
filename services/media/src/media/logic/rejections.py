"""Why an upload is refused: a leaf module the imaging code and the use case both import.

The reasons are the `MediaRejected` schema's enum (events/schemas/MediaRejected.v1.schema.json). A
rejection is final: the original is quarantined and the message is never retried.
"""

from __future__ import annotations

REASONS = ("not-an-image", "unsupported-format", "truncated", "too-large", "decompression-bomb", "empty")


class Rejected(Exception):
    def __init__(self, reason: str, detail: str = ""):
        if reason not in REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail[:500]
