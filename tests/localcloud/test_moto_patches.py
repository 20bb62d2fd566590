"""Where localcloud restores AWS semantics that moto lacks (localcloud/moto_patches/semantics.py)."""

from __future__ import annotations

import sys
import threading
import time

import boto3
import pytest
from moto import mock_aws

from localcloud import moto_patches


@pytest.fixture
def sqs():
    moto_patches.apply()
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def test_fifo_group_is_redelivered_in_order_when_several_messages_return(sqs):
    url = sqs.create_queue(
        QueueName="orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for i in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"g1-{i}", MessageGroupId="g1")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=1)["Messages"]
    assert [m["Body"] for m in received] == [f"g1-{i}" for i in range(5)]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    # the other four fail: their visibility timeout runs out together, and the group restarts at g1-1
    time.sleep(1.2)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == [f"g1-{i}" for i in range(1, 5)]


def test_fifo_group_stays_blocked_while_a_message_is_in_flight(sqs):
    url = sqs.create_queue(
        QueueName="jobs.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="a-0", MessageGroupId="a")
    sqs.send_message(QueueUrl=url, MessageBody="a-1", MessageGroupId="a")
    sqs.send_message(QueueUrl=url, MessageBody="b-0", MessageGroupId="b")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)["Messages"]
    assert [m["Body"] for m in first] == ["a-0"]
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["b-0"]


def test_conditional_writes_are_atomic_under_concurrency():
    moto_patches.apply()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="t", Item={"pk": {"S": "x"}, "v": {"N": "1"}})
        wins = []

        def bump():
            try:
                ddb.update_item(
                    TableName="t",
                    Key={"pk": {"S": "x"}},
                    UpdateExpression="SET v = :new",
                    ConditionExpression="v = :old",
                    ExpressionAttributeValues={":old": {"N": "1"}, ":new": {"N": "2"}},
                )
                wins.append(1)
            except ddb.exceptions.ConditionalCheckFailedException:
                pass

        threads = [threading.Thread(target=bump) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(wins) == 1


def test_the_region_lists_built_with_one_session_are_the_stock_ones():
    import json
    import subprocess
    import sys

    def regions(patch: str) -> list:
        code = (
            f"import json, boto3; {patch}"
            "from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend as R;"
            "print(json.dumps([[r.name for r in R.regions], boto3.Session is boto3.session.Session]))"
        )
        return json.loads(
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        )

    patched, stock = regions("from localcloud.moto_patches import imports; imports.apply();"), regions("")
    assert patched == stock and patched[1] is True and len(patched[0]) > 20


def test_concurrent_kinesis_puts_keep_every_record():
    moto_patches.apply()
    from moto.kinesis.models import kinesis_backends

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the race shows within a few hundred puts
    try:
        with mock_aws():
            boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="views", ShardCount=1)
            stream = kinesis_backends["123456789012"]["us-east-1"].streams["views"]

            def put(worker: int) -> None:
                for n in range(300):
                    stream.put_record(partition_key=f"{worker}-{n}", explicit_hash_key=None, data="eA==")

            threads = [threading.Thread(target=put, args=(w,)) for w in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sum(len(shard.records) for shard in stream.shards.values()) == 2400
    finally:
        sys.setswitchinterval(switch)


def test_kinesis_refuses_an_empty_partition_key_as_aws_does():
    moto_patches.apply()
    from botocore.exceptions import ClientError
    from moto.core.exceptions import JsonRESTError
    from moto.kinesis.models import kinesis_backends

    with mock_aws():
        client = boto3.client("kinesis", region_name="us-east-1")
        client.create_stream(StreamName="views", ShardCount=1)
        stream = kinesis_backends["123456789012"]["us-east-1"].streams["views"]
        with pytest.raises(JsonRESTError, match="partitionKey"):
            stream.put_record(partition_key="", explicit_hash_key=None, data="eA==")
        with pytest.raises(ClientError, match="InvalidArgumentException"):
            client.put_record(StreamName="views", PartitionKey="k" * 257, Data=b"x")
        client.put_record(StreamName="views", PartitionKey="k", Data=b"x")
        assert sum(len(shard.records) for shard in stream.shards.values()) == 1


def test_a_step_functions_task_starts_another_machine_with_pascal_case_parameters():
    """`states:startExecution` takes `Input`/`StateMachineArn` (botocore: input/stateMachineArn) and
    gives `ExecutionArn`/`StartDate`, as on AWS."""
    import json

    moto_patches.apply()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        role = "arn:aws:iam::123456789012:role/r"
        passing = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
        child = sfn.create_state_machine(name="child", roleArn=role, definition=json.dumps(passing))["stateMachineArn"]
        task = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "End": True,
                "Parameters": {"Input": {"from.$": "$$.Execution.Id"}, "StateMachineArn": child}}  # fmt: skip
        parent = sfn.create_state_machine(
            name="parent", roleArn=role, definition=json.dumps({"StartAt": "Start", "States": {"Start": task}})
        )["stateMachineArn"]
        started = sfn.start_execution(stateMachineArn=parent, name="p1")
        deadline = time.monotonic() + 10
        while (done := sfn.describe_execution(executionArn=started["executionArn"]))["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert done["status"] == "SUCCEEDED", done
        assert set(json.loads(done["output"])) == {"ExecutionArn", "StartDate"}
        (run,) = sfn.list_executions(stateMachineArn=child)["executions"]
        child_input = sfn.describe_execution(executionArn=run["executionArn"])["input"]
        assert json.loads(child_input) == {"from": started["executionArn"]}


def test_instance_type_offerings_read_on_first_use_are_the_stock_ones():
    import json
    import subprocess
    import sys

    def offerings(patch: str) -> dict:
        code = (
            f"import json; {patch}"
            "from moto.utilities import utils; from moto.ec2.models import instance_types as t;"
            "o = t.INSTANCE_TYPE_OFFERINGS;"
            "assert utils.load_resource.__module__ == 'moto.utilities.utils';"
            "before = {k: type(v).__name__ for k, v in o.items()};"
            "print(json.dumps({'before': before, 'us': o['region']['us-east-1'][:3], 'get': o['availability-zone']"
            ".get('eu-west-1', [])[:2], 'none': o['region'].get('nowhere', 'x'),"
            "'keys': {k: sorted(v) for k, v in o.items()},"
            "'all': {k: dict(v.items()) for k, v in o.items()}}))"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(run.stdout)

    patched, stock = offerings("from localcloud.moto_patches import imports; imports.apply();"), offerings("")
    assert set(patched["before"].values()) == {"_RegionOfferings"}  # nothing read at import
    assert set(stock["before"].values()) == {"dict"}
    assert patched["us"] and patched["us"][0]["LocationType"] == "region"
    for key in ("us", "get", "none", "keys", "all"):
        assert patched[key] == stock[key], key


def test_the_state_language_interpreter_is_patched_on_its_first_import_not_at_start():
    import subprocess
    import sys

    code = (
        "import sys; from localcloud import moto_patches; moto_patches.apply();"
        "from localcloud.moto_patches.stepfunctions import _TASK_SERVICE;"
        "print(_TASK_SERVICE in sys.modules);"
        "import importlib; m = importlib.import_module(_TASK_SERVICE);"
        "print(m.StateTaskService._normalise_parameters.__module__, m.StateTaskService._normalise_response.__module__)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == [
        "False",
        "localcloud.moto_patches.stepfunctions",
        "localcloud.moto_patches.stepfunctions",
    ]
