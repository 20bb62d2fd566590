"""Step Functions where moto's interpreter stops short of AWS.

- An execution started without a name gets a UUID, as on AWS (moto's interpreter names it "None", so
  the second unnamed start fails with ExecutionAlreadyExists).
- StartSyncExecution, for Express state machines: the interpreter has the synchronous execution
  (`SyncExecution`) but moto does not route the operation. It runs the execution in the request's
  thread and answers with its outcome, as AWS does; a Standard machine gets
  StateMachineTypeNotSupported. botocore sends this operation to a `sync-` host prefix, which no local
  name resolves: clients call it with `Config(inject_host_prefix=False)` (API Gateway integrations
  reach it directly).
- Service integrations take the API's parameters in the state language's PascalCase (`Input`,
  `StateMachineArn`) and give PascalCase results (`ExecutionArn`), whatever the API's own casing.
  moto's interpreter dropped the step that maps them onto the botocore shapes, so
  `arn:aws:states:::states:startExecution` failed on `Input`: both directions are mapped here, when
  moto's state-language interpreter is first imported (by the first execution), since importing it
  costs a start-up a large share of its time.
"""

from __future__ import annotations

import copy
import datetime
import importlib.abc
import importlib.machinery
import json
import sys
from collections.abc import Callable
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
    after_import(_TASK_SERVICE, _map_integration_casing)


_TASK_SERVICE = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service"


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds one module as the other finders do, and runs `patch` on it right after it executes."""

    def __init__(self, name: str, patch: Callable[[Any], None]):
        self.name = name
        self.patch = patch

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once, and the search below must not find this finder again
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader, patch = spec.loader, self.patch

        class Patched(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: Any) -> None:
                loader.exec_module(module)
                patch(module)

        spec.loader = Patched()
        return spec


def after_import(name: str, patch: Callable[[Any], None]) -> None:
    """`patch(module)` now if `name` is imported already, else just after its first import."""
    if name in sys.modules:
        patch(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, patch))


def _map_integration_casing(module: Any) -> None:
    StateTaskService = module.StateTaskService

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None) -> None:
        shape = _operation_shape(self, boto_service_name, service_action_name, "input_shape")
        if shape is not None:
            _to_shape(parameters, shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None) -> None:
        shape = _operation_shape(self, boto_service_name, service_action_name, "output_shape")
        if shape is not None and isinstance(response, dict):
            _to_pascal(response, shape)

    StateTaskService._normalise_parameters = normalise_parameters
    StateTaskService._normalise_response = normalise_response


def _operation_shape(task: Any, service: str | None, action: str | None, which: str) -> Any:
    import botocore.session
    from moto.stepfunctions.parser.utils import snake_to_camel_case

    try:
        model = _session(botocore.session).get_service_model(task._get_boto_service_name(service))
        return getattr(model.operation_model(snake_to_camel_case(task._get_boto_service_action(action))), which)
    except Exception:  # an SDK integration botocore does not know: leave its parameters as written
        return None


_SESSION: list[Any] = []


def _session(botocore_session: Any) -> Any:
    if not _SESSION:
        _SESSION.append(botocore_session.get_session())
    return _SESSION[0]


def _to_shape(value: Any, shape: Any) -> None:
    """Rename `value`'s keys in place to `shape`'s member names, matched case-insensitively."""
    if shape.type_name == "structure" and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        for key in list(value):
            name = members.get(key.lower())
            if name is None:
                continue
            if name != key:
                value[name] = value.pop(key)
            _to_shape(value[name], shape.members[name])
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _to_shape(item, shape.member)
    elif shape.type_name == "map" and isinstance(value, dict):
        for item in value.values():
            _to_shape(item, shape.value)


def _to_pascal(value: Any, shape: Any) -> Any:
    """A result's structure members in PascalCase and its timestamps in epoch milliseconds, as Step
    Functions gives every integration's result (JSON, not botocore's datetimes)."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if shape.type_name == "structure" and isinstance(value, dict):
        for key in list(value):
            member = shape.members.get(key)
            item = value.pop(key)
            value[key[:1].upper() + key[1:]] = _to_pascal(item, member) if member is not None else item
    elif shape.type_name == "list" and isinstance(value, list):
        value[:] = [_to_pascal(item, shape.member) for item in value]
    elif shape.type_name == "map" and isinstance(value, dict):
        for key in list(value):
            value[key] = _to_pascal(value[key], shape.value)
    return value


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
