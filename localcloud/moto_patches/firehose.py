"""Firehose DirectPut as AWS does it: records go to the delivery stream's buffer, not straight to S3.

moto writes every PutRecord/PutRecordBatch to S3 at once, one object per call under
`<prefix>/YYYY/MM/DD/HH/`, with no buffering, compression, processing or bucket notification, and it
accepts them on a KinesisStreamAsSource stream, which AWS refuses ("This operation is not permitted on
KinesisStreamAsSource delivery stream type"). Here a stream that localcloud delivers (a poller called
`attach`) hands its records to that poller's buffer; a KinesisStreamAsSource stream refuses them; any
other stream (one a client created at run time, or one localcloud does not deliver) keeps moto's way.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

Sink = Callable[[list[bytes]], list[str]]  # record bodies in, one RecordId per record out

_sinks: dict[tuple[str, str, str], Sink] = {}
_lock = threading.Lock()


def attach(account_id: str, region: str, stream: str, sink: Sink) -> None:
    """From now on, records put to `stream` go to `sink` (the last attach for a stream wins)."""
    with _lock:
        _sinks[(account_id, region, stream)] = sink


def detach(account_id: str, region: str, stream: str) -> None:
    with _lock:
        _sinks.pop((account_id, region, stream), None)


def apply() -> None:
    from moto.firehose.exceptions import InvalidArgumentException
    from moto.firehose.models import FirehoseBackend

    original = FirehoseBackend.put_record_batch

    @functools.wraps(original)
    def put_record_batch(self, delivery_stream_name, records):
        stream = self.delivery_streams.get(delivery_stream_name)
        if stream is not None and stream.delivery_stream_type == "KinesisStreamAsSource":
            raise InvalidArgumentException(
                "This operation is not permitted on KinesisStreamAsSource delivery stream type."
            )
        sink = _sinks.get((self.account_id, self.region_name, delivery_stream_name))
        if stream is None or sink is None:
            return original(self, delivery_stream_name, records)
        ids = sink([record["Data"] for record in records])
        return {"FailedPutCount": 0, "Encrypted": False, "RequestResponses": [{"RecordId": i} for i in ids]}

    FirehoseBackend.put_record_batch = put_record_batch
