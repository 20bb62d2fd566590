"""The speed patches to moto (localcloud/moto_patches/) change no result: every call here is made with the
patches on and again with moto's own code (`moto_patches.stock()`), and the answers must be equal."""

from __future__ import annotations

import base64
import itertools

import boto3
import pytest
from moto import mock_aws

from localcloud import moto_patches

REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws():
    moto_patches.apply()
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION)
        yield session.client


def both(call, **kwargs):
    """(patched answer, stock answer) of one call, without the request metadata."""
    patched = call(**kwargs)
    with moto_patches.stock():
        stock = call(**kwargs)
    for answer in (patched, stock):
        answer.pop("ResponseMetadata", None)
    return patched, stock


def assert_same(call, **kwargs):
    patched, stock = both(call, **kwargs)
    assert patched == stock, kwargs
    return patched


def key(name, kind):
    return {"AttributeName": name, "AttributeType": kind}


def rich(pk: str, sk, i: int) -> dict:
    """An item with every attribute type, nested ones included."""
    item = {
        "pk": {"S": pk},
        "sk": sk,
        "title": {"S": f"title {i}"},
        "empty": {"S": ""},
        "count": {"N": str(i * 7 % 11)},
        "price": {"N": f"{i}.50"},
        "blob": {"B": bytes([i % 256, 0, 255])},
        "tags": {"SS": [f"t{i % 3}", "common"]},
        "scores": {"NS": [str(i), "0.5"]},
        "blobs": {"BS": [b"\x00", bytes([i % 256])]},
        "nested": {"M": {"a": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}, {"BOOL": i % 2 == 0}]}, "b": {"M": {}}}},
        "flag": {"BOOL": i % 2 == 1},
        "nothing": {"NULL": True},
        "list": {"L": []},
    }
    if i % 4 == 0:
        item["gsi_pk"] = {"S": f"g{i % 3}"}
        item["gsi_sk"] = {"N": str(i % 5)}
    if i % 3 != 0:
        item["lsi_sk"] = {"S": f"l{i % 7}"}
    return item


@pytest.fixture(scope="module")
def tables(aws):
    ddb = aws("dynamodb")
    ddb.create_table(
        TableName="strings",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            key("pk", "S"),
            key("sk", "S"),
            key("gsi_pk", "S"),
            key("gsi_sk", "N"),
            key("lsi_sk", "S"),
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [
                    {"AttributeName": "gsi_pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi_sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lsi_sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    ddb.create_table(
        TableName="numbers",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[key("pk", "S"), key("sk", "N")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    ddb.create_table(
        TableName="hash-only",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[key("pk", "S")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    for i in range(60):
        ddb.put_item(TableName="strings", Item=rich(f"p{i % 3}", {"S": f"sk#{i:03d}#{'ab'[i % 2]}"}, i))
        ddb.put_item(TableName="numbers", Item=rich("n", {"N": str((i * 37) % 101 - 50)}, i))
        ddb.put_item(TableName="hash-only", Item={"pk": {"S": f"h{i}"}, "v": {"N": str(i)}})
    ddb.delete_item(TableName="strings", Key={"pk": {"S": "p0"}, "sk": {"S": "sk#003#b"}})  # the order must forget it
    ddb.put_item(TableName="strings", Item=rich("p0", {"S": "sk#000#0-new"}, 61))
    return ddb


def pages(ddb, **kwargs):
    """Every page of a query, following LastEvaluatedKey."""
    out, start = [], None
    for _ in range(200):
        page = ddb.query(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
        page.pop("ResponseMetadata")
        out.append(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            return out
    raise AssertionError("pagination did not end")


def assert_same_pages(ddb, **kwargs):
    patched = pages(ddb, **kwargs)
    with moto_patches.stock():
        stock = pages(ddb, **kwargs)
    assert patched == stock, kwargs
    return patched


KEY_CONDITIONS = [
    ("pk = :p", {":p": {"S": "p0"}}),
    ("pk = :p", {":p": {"S": "nobody"}}),
    ("pk = :p AND sk = :s", {":p": {"S": "p1"}, ":s": {"S": "sk#004#a"}}),
    ("pk = :p AND begins_with(sk, :s)", {":p": {"S": "p1"}, ":s": {"S": "sk#01"}}),
    ("pk = :p AND sk BETWEEN :a AND :b", {":p": {"S": "p2"}, ":a": {"S": "sk#010"}, ":b": {"S": "sk#040"}}),
    ("pk = :p AND sk < :s", {":p": {"S": "p0"}, ":s": {"S": "sk#030"}}),
    ("pk = :p AND sk >= :s", {":p": {"S": "p0"}, ":s": {"S": "sk#030"}}),
]


@pytest.mark.parametrize(("condition", "values"), KEY_CONDITIONS)
@pytest.mark.parametrize(("limit", "forward"), [(None, True), (None, False), (1, True), (7, False), (25, True)])
def test_query_pages_are_unchanged(tables, condition, values, limit, forward):
    kwargs = {"TableName": "strings", "KeyConditionExpression": condition, "ExpressionAttributeValues": values}
    kwargs["ScanIndexForward"] = forward
    if limit:
        kwargs["Limit"] = limit
    assert_same_pages(tables, **kwargs)


@pytest.mark.parametrize(
    "extra",
    [
        {"FilterExpression": "#c > :n", "ExpressionAttributeNames": {"#c": "count"}},
        {"ProjectionExpression": "pk, sk, nested.a[2], tags"},
        {"FilterExpression": "contains(tags, :t)", "ProjectionExpression": "title", "Limit": 5},
        {"Select": "COUNT"},
        {"ConsistentRead": True, "Limit": 4},
    ],
)
def test_query_filters_projections_and_counts_are_unchanged(tables, extra):
    values = {":p": {"S": "p1"}, ":n": {"N": "3"}, ":t": {"S": "t1"}}
    names = extra.pop("ExpressionAttributeNames", {})
    used = {k: v for k, v in values.items() if k in str(extra) or k == ":p"}
    kwargs = {"TableName": "strings", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": used, **extra}
    if names:
        kwargs["ExpressionAttributeNames"] = names
    assert_same_pages(tables, **kwargs)


def test_numeric_range_keys_sort_as_numbers(tables):
    for forward, limit in itertools.product((True, False), (None, 6)):
        kwargs = {"TableName": "numbers", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b"}
        kwargs["ExpressionAttributeValues"] = {":p": {"S": "n"}, ":a": {"N": "-20"}, ":b": {"N": "35"}}
        kwargs["ScanIndexForward"] = forward
        if limit:
            kwargs["Limit"] = limit
        patched = assert_same_pages(tables, **kwargs)
        keys = [int(i["sk"]["N"]) for page in patched for i in page["Items"]]
        assert keys == sorted(keys, reverse=not forward) and keys


def test_legacy_key_conditions_and_query_filter_are_unchanged(tables):
    kwargs = {
        "TableName": "strings",
        "KeyConditions": {
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p2"}]},
            "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "sk#0"}]},
        },
        "QueryFilter": {"count": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]}},
    }
    assert_same(tables.query, **kwargs)


@pytest.mark.parametrize(("index", "condition", "values"), [
    ("gsi", "gsi_pk = :g", {":g": {"S": "g1"}}),
    ("gsi", "gsi_pk = :g AND gsi_sk > :n", {":g": {"S": "g0"}, ":n": {"N": "1"}}),
    ("lsi", "pk = :p AND begins_with(lsi_sk, :l)", {":p": {"S": "p1"}, ":l": {"S": "l"}}),
])  # fmt: skip
def test_index_queries_are_unchanged(tables, index, condition, values):
    for limit in (None, 3):
        kwargs = {"TableName": "strings", "IndexName": index, "KeyConditionExpression": condition}
        kwargs["ExpressionAttributeValues"] = values
        if limit:
            kwargs["Limit"] = limit
        assert_same_pages(tables, **kwargs)


def test_hash_only_tables_are_unchanged(tables):
    assert_same(tables.query, TableName="hash-only", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "h7"}})  # fmt: skip


def test_reads_that_serialize_items_are_unchanged(tables):
    item = assert_same(tables.get_item, TableName="strings", Key={"pk": {"S": "p1"}, "sk": {"S": "sk#004#a"}})["Item"]
    assert base64.b64encode(item["blob"]["B"]) == base64.b64encode(bytes([4, 0, 255]))
    assert_same(tables.get_item, TableName="strings", Key={"pk": {"S": "p1"}, "sk": {"S": "none"}})
    assert_same(tables.scan, TableName="strings", Limit=15)
    assert_same(
        tables.scan, TableName="numbers", FilterExpression="flag = :t", ExpressionAttributeValues={":t": {"BOOL": True}}
    )
    keys = [{"pk": {"S": "p1"}, "sk": {"S": f"sk#{i:03d}#{'ab'[i % 2]}"}} for i in (1, 4, 7)]
    patched, stock = both(tables.batch_get_item, RequestItems={"strings": {"Keys": keys}})
    by_key = lambda answer: sorted(answer["Responses"]["strings"], key=lambda i: i["sk"]["S"])  # noqa: E731
    assert by_key(patched) == by_key(stock) and len(by_key(patched)) == 3
    patched = tables.update_item(TableName="strings", Key=keys[0], UpdateExpression="SET title = :t",
                                 ExpressionAttributeValues={":t": {"S": "new"}}, ReturnValues="ALL_NEW")  # fmt: skip
    with moto_patches.stock():
        stock = tables.get_item(TableName="strings", Key=keys[0])
    assert patched["Attributes"] == stock["Item"]


def test_partitions_are_partitions_and_survive_a_deep_copy(tables):
    import copy
    import pickle

    from moto.dynamodb.models import dynamodb_backends

    from localcloud.moto_patches.dynamodb_query import Partition

    table = dynamodb_backends["123456789012"][REGION].get_table("strings")
    partition = next(iter(table.items.values()))
    assert type(partition) is Partition and partition.ordered()
    for clone in (copy.deepcopy(partition), pickle.loads(pickle.dumps(partition))):  # noqa: S301 (our own bytes)
        assert type(clone) is Partition and dict(clone).keys() == dict(partition).keys()
        assert [i.range_key for i in clone.ordered()] == [i.range_key for i in partition.ordered()]


def test_attribute_view_agrees_with_queue_attributes(aws):
    from moto.sqs.models import sqs_backends

    from localcloud.moto_patches.sqs_send import AttributeView

    sqs = aws("sqs")
    dlq = sqs.create_queue(QueueName="view-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": 3}}'
    sqs.create_queue(QueueName="view-std", Attributes={"RedrivePolicy": redrive, "Policy": '{"Statement": []}'})
    sqs.create_queue(QueueName="view.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    sqs.create_queue(QueueName="view-kms", Attributes={"KmsMasterKeyId": "alias/x"})
    backend = sqs_backends["123456789012"][REGION]
    for name in ("view-dlq", "view-std", "view.fifo", "view-kms"):
        queue = backend.get_queue(name)
        full = type(queue).attributes.fget(queue)
        view = AttributeView(queue, type(queue).attributes.fget)
        names = queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES + ["Nope"]
        assert {n: view.get(n, "-") for n in names} == {n: full.get(n, "-") for n in names}
        assert [n in view for n in names] == [n in full for n in names] and dict(view.items()) == full


def test_sends_are_unchanged(aws):
    sqs = aws("sqs")
    fifo = sqs.create_queue(
        QueueName="send.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )
    std = sqs.create_queue(QueueName="send-std")["QueueUrl"]
    fifo = fifo["QueueUrl"]
    for body in ("a", "b", "a"):  # the second "a" is a duplicate, dropped either way
        patched = sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId="g")
        with moto_patches.stock():
            stock = sqs.send_message(QueueUrl=fifo, MessageBody=body + body, MessageGroupId="g")
        assert patched.keys() == stock.keys()
    sqs.send_message(QueueUrl=fifo, MessageBody="a", MessageGroupId="g")
    sqs.send_message_batch(QueueUrl=std, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(5)])
    with pytest.raises(sqs.exceptions.ClientError):
        sqs.send_message(QueueUrl=fifo, MessageBody="no group")
    counts = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "4"}
    assert_same(sqs.get_queue_attributes, QueueUrl=std, AttributeNames=["All"])


def test_method_names_are_the_same_cached(aws):
    from moto.core import responses, utils
    from moto.dynamodb.responses import DynamoHandler
    from moto.sqs.responses import SQSResponse

    for cls in (DynamoHandler, SQSResponse, DynamoHandler):
        assert responses.method_names_from_class(cls) == utils.method_names_from_class(cls)


def test_writes_after_a_query_keep_the_order_right(tables):
    query = {
        "TableName": "numbers",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "n"}},
    }
    assert_same_pages(tables, **query)  # the partition's order is now cached
    for number in ("-1000", "7.25", "1000", "0"):  # before the first, in between, after the last, existing
        tables.put_item(TableName="numbers", Item=rich("n", {"N": number}, 5))
    tables.put_item(TableName="numbers", Item={**rich("n", {"N": "-20"}, 6), "title": {"S": "overwritten"}})
    for number in ("-1000", "13", "999"):  # the first, one in between, one that is not there
        tables.delete_item(TableName="numbers", Key={"pk": {"S": "n"}, "sk": {"N": number}})
    tables.batch_write_item(RequestItems={"numbers": [{"PutRequest": {"Item": rich("n", {"N": "42.5"}, 7)}}]})
    from moto.dynamodb.models import dynamodb_backends

    partition = next(iter(dynamodb_backends["123456789012"][REGION].get_table("numbers").items.values()))
    assert partition._ordered is not None  # kept up to date through the writes, not dropped
    pages = assert_same_pages(tables, **query, Limit=9)
    keys = [float(i["sk"]["N"]) for page in pages for i in page["Items"]]
    assert keys == sorted(keys) and 1000.0 in keys and -1000.0 not in keys and 42.5 in keys
    assert any(i["title"]["S"] == "overwritten" for page in pages for i in page["Items"])
