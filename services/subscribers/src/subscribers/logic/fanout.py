"""fan-out-post's use case: one send job per active subscriber of a published post, resumable.

Pages of the `byStatus` index are enqueued in order, and the checkpoint moves past a page only once all
its jobs are on the queue: a crash, a timeout or a retry resumes at the first page not fully enqueued.
Jobs of that page may be enqueued twice (send-post-email sends once per post and subscriber); none is
skipped. A finished fan-out is marked done, so the same PostPublished delivered again enqueues nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from subscribers.dal.checkpoints import Checkpoint, CheckpointStore
from subscribers.dal.jobs import JobQueue
from subscribers.dal.store import SubscriberStore

PAGE_SIZE = 100
MARGIN_SECONDS = 30.0


class OutOfTime(Exception):
    """The fan-out stopped at a checkpoint before its deadline; a retry resumes there."""


class FanOut:
    def __init__(
        self, store: SubscriberStore, checkpoints: CheckpointStore, queue: JobQueue, page_size: int = PAGE_SIZE
    ):
        self.store = store
        self.checkpoints = checkpoints
        self.queue = queue
        self.page_size = page_size

    def run(self, slug: str, seconds_left: Callable[[], float] = lambda: float("inf")) -> Checkpoint:
        checkpoint = self.checkpoints.get(slug)
        while not checkpoint.done:
            if seconds_left() < MARGIN_SECONDS:
                raise OutOfTime(f"stopped after {checkpoint.queued} jobs of {slug}")
            ids, cursor = self.store.active_page(self.page_size, checkpoint.cursor)
            self.queue.enqueue([{"slug": slug, "id": subscriber_id} for subscriber_id in ids])
            checkpoint = Checkpoint(cursor, cursor is None, checkpoint.queued + len(ids))
            self.checkpoints.save(slug, checkpoint)
        return checkpoint
