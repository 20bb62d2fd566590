"""localcloud/moto_patches/sqs_receive.py changes no answer: the same calls on twin queues, one with the patch
on and one inside `moto_patches.stock()` (moto's own code), give the same bodies, counts and errors."""

from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws

from localcloud import moto_patches

REGION = "us-east-1"
COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]


@pytest.fixture
def sqs():
    moto_patches.apply()
    with mock_aws():
        yield boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION).client("sqs")


def twins(sqs, name: str, attributes: dict | None = None) -> tuple[str, str]:
    """Two queues with the same settings and messages: 12 plain, 3 delayed."""
    urls = []
    for side in ("patched", "stock"):
        url = sqs.create_queue(QueueName=f"{name}-{side}", Attributes=attributes or {})["QueueUrl"]
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)])
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10, 12)])
        delayed = [{"Id": str(i), "MessageBody": f"d{i}", "DelaySeconds": 60} for i in range(3)]
        sqs.send_message_batch(QueueUrl=url, Entries=delayed)
        urls.append(url)
    return urls[0], urls[1]


def on_both(patched_url: str, stock_url: str, call):
    """call(url) with the patch, then on the twin with moto's code."""
    patched = call(patched_url)
    with moto_patches.stock():
        stock = call(stock_url)
    return patched, stock


def counts(sqs, url: str) -> dict:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=COUNTS)["Attributes"]


def bodies(answer: dict) -> list[str]:
    return [m["Body"] for m in answer.get("Messages", [])]


def test_receives_and_counts_are_unchanged(sqs):
    patched, stock = twins(sqs, "receive")
    assert counts(sqs, patched) == counts(sqs, stock) == {COUNTS[0]: "12", COUNTS[1]: "0", COUNTS[2]: "3"}
    for _ in range(3):  # 10, 2, then nothing visible left
        answers = on_both(patched, stock, lambda url: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
        assert bodies(answers[0]) == bodies(answers[1])
        with moto_patches.stock():
            assert counts(sqs, patched) == counts(sqs, stock)
        assert counts(sqs, patched) == counts(sqs, stock)
    assert counts(sqs, patched) == {COUNTS[0]: "0", COUNTS[1]: "12", COUNTS[2]: "3"}


def test_messages_past_their_retention_are_not_received(sqs):
    patched, stock = twins(sqs, "retention", {"MessageRetentionPeriod": "60"})
    from moto.sqs.models import sqs_backends

    backend = sqs_backends["123456789012"][REGION]
    for name in ("retention-patched", "retention-stock"):
        for message in backend.get_queue(name)._messages[:4]:  # sent 61 s ago
            message.sent_timestamp -= 61_000
    answers = on_both(patched, stock, lambda url: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
    assert bodies(answers[0]) == bodies(answers[1]) == []  # moto stops at the first expired message
    for name in ("retention-patched", "retention-stock"):
        for message in backend.get_queue(name)._messages[:4]:
            message.sent_timestamp += 61_000
    answers = on_both(patched, stock, lambda url: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
    assert bodies(answers[0]) == bodies(answers[1]) != []


def test_batch_deletes_are_unchanged(sqs):
    patched, stock = twins(sqs, "delete", {"VisibilityTimeout": "0"})

    def delete_mixed(url: str) -> tuple[dict, dict]:
        first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]  # new handles, same messages
        entries = [{"Id": f"new{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(again[:3])]
        entries += [{"Id": f"old{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(first[3:5])]
        entries += [{"Id": "same-message-twice", "ReceiptHandle": first[0]["ReceiptHandle"]}]
        entries += [{"Id": "bogus", "ReceiptHandle": "not-a-receipt"}]
        answer = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        repeat = sqs.delete_message_batch(QueueUrl=url, Entries=entries[:2])  # deleted already: success again
        return answer, repeat

    (answer, repeat), (stock_answer, stock_repeat) = on_both(patched, stock, delete_mixed)
    for one in (answer, repeat, stock_answer, stock_repeat):
        one.pop("ResponseMetadata")
    assert answer == stock_answer and repeat == stock_repeat
    deleted = ["new0", "new1", "new2", "old0", "old1", "same-message-twice"]
    assert sorted(e["Id"] for e in answer["Successful"]) == deleted
    assert [e["Id"] for e in answer["Failed"]] == ["bogus"]
    time.sleep(0.01)
    assert counts(sqs, patched) == counts(sqs, stock) == {COUNTS[0]: "7", COUNTS[1]: "0", COUNTS[2]: "3"}
    remaining = on_both(patched, stock, lambda url: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
    assert sorted(bodies(remaining[0])) == sorted(bodies(remaining[1]))


def test_a_long_queue_drains_each_message_once(sqs):
    """2 000 messages received and deleted 10 at a time, each once (the patched paths end to end)."""
    url = sqs.create_queue(QueueName="long")["QueueUrl"]
    for start in range(0, 2000, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    seen = set()
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        seen.update(m["Body"] for m in batch)
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        assert not sqs.delete_message_batch(QueueUrl=url, Entries=entries).get("Failed")
    assert len(seen) == 2000 and counts(sqs, url)[COUNTS[0]] == "0"


def test_concurrent_sends_and_deletes_lose_nothing_and_bring_nothing_back(sqs):
    """One thread sends while four receive and delete, with thread switches forced often: every message
    is received exactly once and the queue ends empty (moto's unlocked deletes lose or revive some)."""
    import sys
    import threading

    url = sqs.create_queue(QueueName="busy", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    total, seen, lock = 3000, [], threading.Lock()
    sent = threading.Event()

    def send():
        for start in range(0, total, 10):
            entries = [{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        sent.set()

    def consume():
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                if sent.is_set() and int(counts(sqs, url)[COUNTS[0]]) == 0:
                    return
                continue
            with lock:
                seen.extend(m["Body"] for m in batch)
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=send)] + [threading.Thread(target=consume) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        sys.setswitchinterval(interval)
    from collections import Counter

    received = Counter(seen)
    missing = [f"m{n}" for n in range(total) if f"m{n}" not in received]
    twice = [body for body, n in received.items() if n > 1]
    assert (missing, twice) == ([], [])
    assert counts(sqs, url) == {COUNTS[0]: "0", COUNTS[1]: "0", COUNTS[2]: "0"}
