"""The send queue: send jobs enqueued ten to a SendMessageBatch call, entries SQS refused retried."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

BATCH = 10  # SendMessageBatch's maximum
ATTEMPTS = 5


class JobQueue:
    def __init__(self, queue_url: str, client: Callable[[str], Any], sleep: Callable[[float], None] = time.sleep):
        self.queue_url = queue_url
        self._client = client
        self._sleep = sleep

    def enqueue(self, jobs: list[dict]) -> None:
        """Every job enqueued, or an exception: a partial failure is retried with backoff, then raised."""
        for start in range(0, len(jobs), BATCH):
            entries = {
                str(i): json.dumps(job, separators=(",", ":")) for i, job in enumerate(jobs[start : start + BATCH])
            }
            for attempt in range(ATTEMPTS):
                answer = self._client("sqs").send_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[{"Id": key, "MessageBody": body} for key, body in entries.items()],
                )
                failed = {entry["Id"] for entry in answer.get("Failed", [])}
                entries = {key: body for key, body in entries.items() if key in failed}
                if not entries:
                    break
                self._sleep(min(2**attempt * 0.1, 2.0))
            if entries:
                raise RuntimeError(f"SQS refused {len(entries)} send jobs {ATTEMPTS} times")
