"""LocalCloud: one process that provisions a SAM application into an embedded moto and serves it.

    cloud = LocalCloud(Path("template.yaml"), state_dir=Path(".localcloud"))
    cloud.start()            # moto + front, provision, workers, gateway, sources, console
    cloud.endpoints()        # what .localcloud/endpoints.json holds
    cloud.wait_idle(10)      # every queue, stream and worker quiet
    cloud.reset()            # wipe data (items, objects, messages, users, mail), keep resources
    cloud.stop()

Ports: one for the AWS endpoint (moto behind `front.AwsFront`), one HTTP port for the APIs
(`/{apiId}/{stage}/...`), the console (`/_local`) and the control API (`/_local/control/...`) that
out-of-process clients (tests, the CLI) use for `wait-idle`, `reset` and `invoke` (`localcloud.control`).
What `endpoints.json` holds is built by `localcloud.endpoints`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from localcloud import control
from localcloud.endpoints import endpoints, rewrite_api_urls
from localcloud.faults import Faults
from localcloud.model import (
    ACCOUNT_ID,
    FAKE_CREDENTIALS,
    Deployment,
    EventLog,
    FunctionSpec,
    HttpRequest,
    HttpResponse,
    InvokeResult,
    LogStore,
)
from localcloud.requestlog import RequestLog
from localcloud.samenv import write_sam_env

log = logging.getLogger("localcloud")

_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)


class LocalCloud:
    def __init__(
        self,
        template: Path,
        *,
        state_dir: Path | None = None,
        host: str = "127.0.0.1",
        aws_port: int = 0,
        http_port: int = 0,
        cdn_port: int = 0,
        parameters: dict[str, str] | None = None,
        region: str = "us-east-1",
        python: str = sys.executable,
        persist: bool = True,
        fresh: bool = False,
        restore_from: Path | None = None,
        layers: dict[str, Path] | None = None,
        async_time_scale: float = 1 / 60,
        stack_name: str | None = None,
    ):
        self.template = Path(template).resolve()
        self.stack_name = stack_name
        self.state_dir = Path(state_dir).resolve() if state_dir else None
        self.host = host
        self.aws_port = aws_port
        self.http_port = http_port
        self.cdn_port = cdn_port  # the first distribution's port; the others follow it (0: any)
        self.parameters = parameters or {}
        self.region = region
        self.account_id = ACCOUNT_ID
        self.python = python
        self.persist = persist and self.state_dir is not None
        # read a saved state without ever writing it (a one-off copy beside no running instance)
        self.restore_from = Path(restore_from).resolve() if restore_from else None
        self.fresh = fresh
        self.persistence: Any = None
        self.layers = dict(layers or {})  # layer ARN -> local folder, for layers the template only names
        self.async_time_scale = async_time_scale  # async retries and event ages: 1 is AWS's timing
        self.function_urls: Any = None
        self.events = EventLog()
        self.logs = LogStore()
        self.requests = RequestLog()
        self.deployment: Deployment | None = None
        self.aws_url = ""
        self.http_url = ""
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._session: Any = None
        self._aws_server: Any = None
        self._http_server: Any = None
        self.front: Any = None
        self.service_events: Any = None  # the AWS service events emitter (localcloud.service_events)
        self.lambdas: Any = None
        self.gateway: Any = None
        self.sources: Any = None
        self.console: Any = None
        self.edge: Any = None
        self.eventbridge: Any = None
        self.faults = Faults()  # injected errors and worker crashes (localcloud.faults)
        self._wrote_endpoints = False

    # lifecycle ----------------------------------------------------------------------------------
    def start(
        self,
        progress: Callable[[str], None] = lambda message: None,
        notice: Callable[[str], None] = log.warning,
    ) -> LocalCloud:
        """Provision and serve. `progress` gets what is happening; `notice` what the user must know
        even when quiet (saved state set aside or only partly restored)."""
        from localcloud.console import Console
        from localcloud.front import AwsFront
        from localcloud.gateway import Gateway
        from localcloud.httpserver import serve
        from localcloud.lambdas import LambdaService
        from localcloud.provision import Provisioner
        from localcloud.sources import Sources

        progress("starting the AWS endpoint (moto)")
        self._start_aws(AwsFront)
        from localcloud.outbox import watch_outbox

        watch_outbox(self.account_id, self.region)
        # listening already (503 until ready), so Function URLs and the like know their local URL
        self._http_server = serve(self._handle_http, host=self.host, port=self.http_port)
        self.http_url = self._http_server.url.rstrip("/")
        progress(f"provisioning {self.template.name} and its nested applications")
        provisioner = Provisioner(
            aws=self.aws, region=self.region, account_id=self.account_id, aws_endpoint=self.aws_url,
            http_endpoint=self.http_url, transform_cache=self.state_dir / "transforms" if self.state_dir else None,
        )  # fmt: skip
        self.deployment = provisioner.deploy(
            self.template, stack_name=self.stack_name, parameters=self.parameters, layers=self.layers
        )
        for error in self.deployment.errors:
            progress(f"error: {error}")
        if self.deployment.not_emulated:
            notice(f"not emulated, ids only (the app starts without them): {', '.join(self.deployment.not_emulated)}")
        for line in self.deployment.notices:
            notice(line)
        progress(f"provisioned {len(self.deployment.resources)} resources, {len(self.deployment.functions)} functions")
        # before the workers start: their environment may name another API
        rewrite_api_urls(self.deployment, self.http_url, self.aws("ssm"))
        self._start_lambdas(LambdaService, progress, notice)
        self.gateway = Gateway(
            self.deployment, self.invoke, self.aws, principals=self.front.principals, requests=self.requests
        )
        self._start_edge(progress)
        progress("starting event sources")
        self.sources = Sources(self.deployment, self.invoke, self.aws, self.events,
                               async_time_scale=self.async_time_scale)  # fmt: skip
        self.sources.prepare()
        self._prepare_eventbridge()
        self._serve_lambda_api()
        if self.persist or self.restore_from:
            self._restore(progress, notice)
        self.sources.start()
        self.eventbridge.start()
        self.front.events_api.route = self.eventbridge.route
        self.service_events.route = self.eventbridge.route  # EC2 state changes, S3 objects: AWS's own events
        if self.persistence is not None:
            self.persistence.start()
        self.console = Console(self)  # last: the HTTP server answers 503 until it is set
        if self.state_dir:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            # before endpoints.json, whose appearance tells clients the instance is ready
            write_sam_env(self.state_dir / "sam-env.json", list(self.deployment.functions.values()), self.aws_url)
            tmp = self.state_dir / "endpoints.json.tmp"
            tmp.write_text(json.dumps(self.endpoints(), indent=2))
            tmp.replace(self.state_dir / "endpoints.json")
            self._wrote_endpoints = True
        return self

    def _start_lambdas(
        self, service_class: type, progress: Callable[[str], None], notice: Callable[[str], None]
    ) -> None:
        """Workers that see what Lambda gives a function (lambdas.packaging), their installs cached."""
        from localcloud.faults.functions import FunctionFaults
        from localcloud.lambdas.installer import Installer
        from localcloud.lambdas.packaging import Packager

        assert self.deployment is not None
        packager = Packager(Installer(say=progress), self.deployment.layer_builds, say=progress)
        self.lambdas = service_class(self.python, self._worker_env(), self.logs, prepare=packager.prepare)
        self.lambdas.fault_hook = FunctionFaults(self.faults, self.logs)
        for spec in list(self.deployment.functions.values()):
            try:
                self.lambdas.register(spec)
            except ValueError as exc:  # e.g. missing code dir: report it, serve the other functions
                self.deployment.errors.append(f"{spec.address} (AWS::Lambda::Function): {exc}")
                progress(f"error: {spec.address}: {exc}")
        for line in packager.notices():
            notice(line)

    def _prepare_eventbridge(self) -> None:
        """Buses, rules and schedules (localcloud.eventbridge); Lambda targets use the sources' async queues."""
        from localcloud.eventbridge import EventBridge

        assert self.deployment is not None
        self.eventbridge = EventBridge(self.deployment, self.aws, self.events, async_queue=self.sources.async_queue,
                                       invoke_async=self.sources.invoke_async)  # fmt: skip
        self.eventbridge.prepare()

    def _serve_lambda_api(self) -> None:
        """The Lambda API on the AWS endpoint and the Function URLs on the HTTP server."""
        from localcloud.lambda_api.catalog import Catalog
        from localcloud.lambda_api.invoking import Invoker
        from localcloud.lambda_api.urls import FunctionUrls

        assert self.deployment is not None
        catalog = Catalog(self.deployment)
        self.function_urls = FunctionUrls(self.deployment, catalog, self.invoke, self.front.principals,
                                          requests=self.requests)  # fmt: skip
        self.front.lambda_api.attach(catalog, Invoker(self.invoke, self.sources.invoke_async, self.logs),
                                     apply=self._update_function)  # fmt: skip

    def _update_function(self, spec: FunctionSpec) -> None:
        """UpdateFunctionConfiguration's new settings: running workers retire, the next invoke starts cold."""
        assert self.deployment is not None
        self.lambdas.register(spec)
        self.deployment.functions[spec.arn] = spec
        log.info("%s: configuration updated (its next invoke starts a new execution environment)", spec.address)

    def _start_edge(self, progress: Callable[[str], None]) -> None:
        """CloudFront distributions, each on its own port; CreateInvalidation on the AWS endpoint purges."""
        import tempfile

        assert self.deployment is not None
        if not self.deployment.of_type("AWS::CloudFront::Distribution"):
            return  # nothing to serve: the edge is not even imported
        from localcloud.edge.service import Edge

        cache = (self.state_dir or Path(tempfile.mkdtemp(prefix="localcloud-"))) / "edge-cache"
        self.edge = Edge(self.deployment, cache_dir=cache, invoke=self.invoke, gateway=self.gateway.handle,
                         aws_app=self.front, write_log=self._write_edge_log)  # fmt: skip
        self.edge.start(self.host, self.cdn_port)
        self.front.on_invalidation = self.edge.invalidate
        for address, url in self.edge.urls().items():
            progress(f"CloudFront {address} at {url}")

    def _write_edge_log(self, bucket: str, key: str, body: bytes) -> None:
        """CloudFront's standard logging: a log file into the distribution's log bucket."""
        self.aws("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/x-gzip")

    def _restore(self, progress: Callable[[str], None], notice: Callable[[str], None]) -> None:
        """Put the saved data back (before any poller or function runs), then save on every change."""
        from localcloud.state import Persistence

        source = self.state_dir if self.persist else self.restore_from
        assert source is not None and self.deployment is not None
        self.persistence = Persistence(
            source,
            saving=self.persist,
            account_id=self.account_id,
            region=self.region,
            extras={"identity": self.front.identity, "cognito-codes": self.front.cognito_mail.codes},
            say=notice,
            make_queue=self.sources.make_invoke_queue,
        )
        restored = self.persistence.restore(self.deployment, fresh=self.fresh)
        if restored is not None:
            progress(f"restored {restored.summary()} from {self.persistence.file.path}")
            for note in restored.skipped:
                notice(f"not restored: {note}")
        self.front.on_change = self.persistence.touch

    def stop(self) -> None:
        for stop in (
            lambda: self.eventbridge and self.eventbridge.stop(),
            lambda: self.sources and self.sources.shutdown(),
            lambda: self._http_server and self._http_server.close(),
            lambda: self.edge and self.edge.stop(),
            lambda: self.lambdas and self.lambdas.shutdown(),
            lambda: self.persistence and self.persistence.stop(),
            lambda: self._aws_server and self._aws_server.shutdown(),
        ):
            try:
                stop()
            except Exception:  # keep stopping the rest
                log.exception("error while stopping")
        if self.state_dir and self._wrote_endpoints:  # never another instance's file
            (self.state_dir / "endpoints.json").unlink(missing_ok=True)
            (self.state_dir / "sam-env.json").unlink(missing_ok=True)  # its ports die with this instance
            self._wrote_endpoints = False

    def _start_aws(self, front_class: type) -> None:
        from moto.server import DomainDispatcherApplication, create_backend_app

        from localcloud import moto_patches, moto_taps, stepfunctions
        from localcloud.faults.gate import FaultGate
        from localcloud.front.dispatch import MotoDispatch
        from localcloud.front.server import serve_wsgi
        from localcloud.service_events import Emitter, ServiceEventsApp, moto_s3

        moto_patches.apply()
        self.service_events = Emitter(region=self.region)
        moto_s3.install(self.service_events.emit)  # before the taps, which wrap it
        moto_taps.install(self.events)  # S3 notifications, SNS fan-out, stream records: hops inside moto
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # moto keeps its state in module globals: start from nothing even if this process ran one before.
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        app = ServiceEventsApp(MotoDispatch(DomainDispatcherApplication(create_backend_app)), self.service_events,
                               account=self.account_id)  # fmt: skip
        self.front = front_class(app, region=self.region, account_id=self.account_id, events=self.events, aws=self.aws)
        gate = FaultGate(self.front, self.faults, region=self.region, account_id=self.account_id)
        self._aws_server = serve_wsgi(gate, self.host, self.aws_port)
        self.aws_url = self._aws_server.url
        stepfunctions.switch_on(self.aws_url)  # executions run, and their service calls come back here

    def _worker_env(self) -> dict[str, str]:
        env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        env.update(FAKE_CREDENTIALS)
        env.update(
            AWS_ENDPOINT_URL=self.aws_url,
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            TZ="UTC",
        )
        return env

    # clients and invocation ---------------------------------------------------------------------
    def aws(self, service: str) -> Any:
        """A boto3 client for `service` against the local AWS endpoint (cached, thread-safe). One session
        makes them all, under the lock (sessions are not thread-safe), so botocore loads its shared data
        (endpoints, partitions, retry rules) once rather than once per service."""
        with self._clients_lock:
            client = self._clients.get(service)
            if client is None:
                if self._session is None:
                    self._session = boto3.session.Session()
                client = self._session.client(
                    service,
                    endpoint_url=self.aws_url,
                    region_name=self.region,
                    aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    config=_CLIENT_CONFIG,
                )
                self._clients[service] = client
            return client

    def invoke(self, key: str, event: Any) -> InvokeResult:
        return self.lambdas.invoke(key, event)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            remaining = max(0.05, deadline - time.monotonic())
            mark = self.eventbridge.idle_mark()  # a delivery in flight may still feed a queue
            quiet = mark[0] and self.sources.wait_idle(remaining) and self.lambdas.idle()
            if quiet and self.eventbridge.idle_mark() == mark:
                return True
            time.sleep(0.02)
        return False

    def outbox(self) -> list[dict]:
        from localcloud.outbox import read_outbox

        return read_outbox(self.account_id, self.region)

    # endpoints ----------------------------------------------------------------------------------
    def endpoints(self) -> dict:
        """What `.localcloud/endpoints.json` holds (`localcloud.endpoints`)."""
        return endpoints(self)

    # reset --------------------------------------------------------------------------------------
    def reset(self, *, users: bool = True) -> dict[str, int]:
        """Wipe data and keep resources (ids and URLs stay valid): what tests do between cases.

        With `users=False` the user pools' users (and their identity-pool identities) are kept. Returns
        what was wiped, by kind ({"items": 3, "emails": 1, ...}), and `keptUsers` when users were kept."""
        from localcloud.outbox import clear_outbox, read_outbox
        from localcloud.reset import count_users, wipe_data

        self.faults.clear()  # first: the wipe below goes through the AWS endpoint
        self.sources.stop()
        self.eventbridge.reset()
        wiped = wipe_data(self.deployment, self.aws, users=users)
        wiped["emails"] = len(read_outbox(self.account_id, self.region))
        clear_outbox(self.account_id, self.region)
        if not users:
            wiped["keptUsers"] = count_users(self.deployment, self.aws)
        if self.edge is not None:
            self.edge.reset()
        for component in (self.front, self.gateway, self.lambdas):
            if component is not self.front or users:
                component.reset()
        self.sources.reset()
        self.events.clear()
        self.logs.clear()
        self.requests.clear()
        self.sources.start()
        if self.persistence is not None:
            self.persistence.touch()
        return wiped

    # HTTP ---------------------------------------------------------------------------------------
    def _handle_http(self, req: HttpRequest) -> HttpResponse:
        if self.console is None:
            return control.json_response(503, {"message": "localcloud is starting"})
        if self.function_urls is not None and self.function_urls.handles(req):
            return self.function_urls.handle(req)
        if req.path.startswith("/_local/control/"):
            return control.handle(self, req)
        if req.path == "/_local" or req.path.startswith("/_local/"):
            return self.console.handle(req)
        aliased = self.edge.by_host(req) if self.edge else None
        return aliased if aliased is not None else self.gateway.handle(req)
