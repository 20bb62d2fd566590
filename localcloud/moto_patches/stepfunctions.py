"""Step Functions where moto's interpreter stops short of AWS.

- An execution started without a name gets a UUID, as on AWS (moto's interpreter names it "None", so
  the second unnamed start fails with ExecutionAlreadyExists).
- StartSyncExecution, for Express state machines: the interpreter has the synchronous execution
  (`SyncExecution`) but moto does not route the operation. It runs the execution in the request's
  thread and answers with its outcome, as AWS does; a Standard machine gets
  StateMachineTypeNotSupported. botocore sends this operation to a `sync-` host prefix, which no local
  name resolves: clients call it with `Config(inject_host_prefix=False)` (API Gateway integrations
  reach it directly).
"""

from __future__ import annotations

import copy
import datetime
import json
from typing import Any

from moto.core.exceptions import AWSError


class StateMachineTypeNotSupported(AWSError):
    TYPE = "StateMachineTypeNotSupported"
    STATUS = 400


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.moto_api._internal import mock_random
    from moto.stepfunctions.responses import StepFunctionResponse

    def start_execution(self: Any) -> ActionResult:  # moto's own, with AWS's default name
        execution = self.stepfunction_backend.start_execution(
            self._get_param("stateMachineArn"),
            self._get_param("name") or str(mock_random.uuid4()),
            self._get_param("input", if_none="{}"),
        )
        return ActionResult({"executionArn": execution.execution_arn, "startDate": execution.start_date})

    def start_sync_execution(self: Any) -> ActionResult:
        return ActionResult(_run_sync(self, mock_random))

    StepFunctionResponse.start_execution = start_execution
    StepFunctionResponse.start_sync_execution = start_sync_execution


def _run_sync(response: Any, mock_random: Any) -> dict[str, Any]:
    from moto.stepfunctions.exceptions import InvalidExecutionInput
    from moto.stepfunctions.parser.backend.execution import SyncExecution

    backend = response.stepfunction_backend
    machine = backend.describe_state_machine(response._get_param("stateMachineArn"))
    if machine.type != "EXPRESS":  # moto keeps the machine's type in `type` (`sm_type` is always STANDARD)
        raise StateMachineTypeNotSupported("This operation is only supported for EXPRESS state machines")
    raw_input = response._get_param("input", if_none="{}")
    try:
        json.loads(raw_input)
    except ValueError as exc:
        raise InvalidExecutionInput(str(exc)) from None
    name = response._get_param("name") or str(mock_random.uuid4())
    clone = copy.deepcopy(machine, {id(machine.executions): [], id(machine.backend): machine.backend})
    execution = SyncExecution(
        name=name,
        sm_type=clone.type,
        role_arn=clone.roleArn,
        exec_arn=f"arn:aws:states:{backend.region_name}:{backend.account_id}:express:{machine.name}:{name}:"
        f"{mock_random.uuid4()}",
        account_id=backend.account_id,
        region_name=backend.region_name,
        state_machine=clone,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        input_data=raw_input,
        trace_header=response._get_param("traceHeader"),
        activity_store={},
    )
    execution.start()  # a SyncExecutionWorker runs the whole program before it returns
    return execution.to_start_sync_execution_output()
