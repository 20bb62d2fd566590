"""`Edge`: every CloudFront distribution of a deployment, each served on its own local port.

A distribution answers at `http://127.0.0.1:<port>/` (its own origin, so a site's root-relative links
work), and any edge port, like the main HTTP port, also answers by `Host` for a distribution's aliases:
`curl -H 'Host: blog.example.com' <any edge URL>`. Ports are `base_port`, `base_port + 1`, ... in the
order of the distributions' addresses, so they are stable across restarts; base 0 lets the system pick.

The cache lives in one folder, emptied at start: like CloudFront's, it is not data the app owns. A
distribution with `Logging` gets standard logs in its bucket (`access_log`), through `write_log`.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud.edge.access_log import AccessLog, Deliveries, logging_config
from localcloud.edge.book import PolicyBook
from localcloud.edge.compute import EdgeCompute
from localcloud.edge.config import ConfigError, Distribution, parse_distribution
from localcloud.edge.fetching import OriginClient
from localcloud.edge.invalidation import InvalidationPathError, matcher
from localcloud.edge.lambda_edge import validate_edge_function
from localcloud.edge.model import EdgeRequest, EdgeResponse
from localcloud.edge.pipeline import Pipeline
from localcloud.edge.store import CacheStore
from localcloud.httpserver import Server, serve
from localcloud.model import Deployment, HttpRequest, HttpResponse, InvokeResult

log = logging.getLogger("localcloud.edge")


class Edge:
    def __init__(
        self,
        deployment: Deployment,
        *,
        cache_dir: Path,
        invoke: Callable[[str, dict], InvokeResult] | None = None,
        gateway: Callable[[HttpRequest], HttpResponse] | None = None,
        aws_app: Callable | None = None,
        clock: Callable[[], float] = time.time,
        write_log: Callable[[str, str, bytes], None] | None = None,
        log_interval: float = 2.0,
    ):
        self.deployment = deployment
        self.cache_dir = Path(cache_dir)
        self.clock = clock
        self.book = PolicyBook(deployment)
        self.origins = OriginClient(gateway=gateway, aws_app=aws_app, region=deployment.region)
        self.compute = EdgeCompute(self.book.functions, invoke)
        self.pipelines: dict[str, Pipeline] = {}  # by address
        self._by_id: dict[str, Pipeline] = {}
        self._by_alias: dict[str, Pipeline] = {}
        self._servers: dict[str, Server] = {}
        self.write_log = write_log  # put_object(bucket, key, body) for standard logging
        self.deliveries = Deliveries(log_interval)
        self.access_logs: dict[str, AccessLog] = {}  # by address, for distributions with Logging

    # lifecycle ------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", base_port: int = 0) -> None:
        """Load every distribution (a broken one is reported in `deployment.errors`) and serve each."""
        resources = sorted(self.deployment.of_type("AWS::CloudFront::Distribution"), key=lambda r: r.address)
        if not resources:
            return
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        for index, resource in enumerate(resources):
            try:
                distribution = parse_distribution(resource.address, resource.ref, resource.attrs, resource.properties)
                self.book.check(distribution)
            except (ConfigError, ValueError, KeyError) as exc:
                self.deployment.errors.append(f"{resource.address} (AWS::CloudFront::Distribution): {exc}")
                continue
            self.deployment.errors.extend(self._edge_function_problems(distribution))
            store = CacheStore(self.cache_dir / distribution.id, clock=self.clock)
            pipeline = Pipeline(
                distribution, book=self.book, store=store, origins=self.origins, compute=self.compute,
                clock=self.clock,
            )  # fmt: skip
            self.pipelines[distribution.address] = pipeline
            logging_ = logging_config((resource.properties.get("DistributionConfig") or {}).get("Logging"))
            if logging_ is not None and self.write_log is not None:
                access_log = AccessLog(logging_, distribution.id, self.write_log, host=distribution.domain_name,
                                       clock=self.clock)  # fmt: skip
                self.access_logs[distribution.address] = access_log
                self.deliveries.add(access_log)
            self._by_id[distribution.id] = pipeline
            for alias in distribution.aliases:
                self._by_alias[alias] = pipeline
            port = base_port + index if base_port else 0
            self._servers[distribution.address] = serve(self._handler(pipeline), host=host, port=port)

    def _edge_function_problems(self, distribution: Distribution) -> list[str]:
        """What would make CloudFront refuse this distribution's Lambda@Edge associations on AWS (it is
        served anyway, so the rest can be tried)."""
        problems = []
        for behavior in [distribution.default_behavior, *distribution.behaviors]:
            for association in behavior.lambdas:
                spec = self.deployment.function(association.function_arn)
                where = f"{distribution.address} (AWS::CloudFront::Distribution)"
                if spec is None:
                    problems.append(f"{where}: Lambda@Edge {association.function_arn} is not a function of this app")
                    continue
                found = validate_edge_function(spec, [association.event_type], association_arn=association.function_arn)
                problems += [f"{where}: {spec.address} as Lambda@Edge: {problem}" for problem in found]
        return problems

    def stop(self) -> None:
        for server in self._servers.values():
            server.close()
        self._servers.clear()
        self.deliveries.stop()  # the last lines are delivered too

    def reset(self) -> None:
        """Empty every cache and count from zero (a data reset)."""
        for pipeline in self.pipelines.values():
            pipeline.store.clear()
            pipeline.stats = dict.fromkeys(pipeline.stats, 0)

    # what clients see ----------------------------------------------------------------------------

    def urls(self) -> dict[str, str]:
        return {address: server.url for address, server in self._servers.items()}

    def distribution(self, key: str) -> Distribution | None:
        pipeline = self.pipelines.get(key) or self._by_id.get(key)
        return pipeline.distribution if pipeline else None

    def by_host(self, req: HttpRequest) -> HttpResponse | None:
        """Answer a request whose Host names a distribution's alias (the main port calls this)."""
        pipeline = self._alias(req)
        return self._serve(pipeline, req) if pipeline is not None else None

    def invalidate(self, distribution_id: str, paths: list[str]) -> int:
        """What CreateInvalidation on the AWS endpoint does here: purge matching entries (count)."""
        pipeline = self._by_id.get(distribution_id)
        if pipeline is None:
            return 0
        try:
            matches = matcher(paths)
        except InvalidationPathError as exc:
            log.warning("%s: invalidation refused: %s", pipeline.distribution.address, exc)
            return 0
        purged = pipeline.store.invalidate(matches)
        log.info("%s: invalidated %s (%d entries)", pipeline.distribution.address, ", ".join(paths), purged)
        return purged

    def entries(self, address: str) -> list[dict[str, Any]]:
        """What the cache holds for a distribution, for the console."""
        pipeline = self.pipelines.get(address)
        if pipeline is None:
            return []
        now = self.clock()
        return [
            {
                "path": e.path,
                "status": e.status,
                "size": e.size,
                "hits": e.hits,
                "ttlLeft": round(e.expires_at - now, 1),
            }
            for e in pipeline.store.entries()
        ]

    # serving --------------------------------------------------------------------------------------

    def _handler(self, own: Pipeline) -> Callable[[HttpRequest], HttpResponse]:
        def handle(req: HttpRequest) -> HttpResponse:
            return self._serve(self._alias(req) or own, req)

        return handle

    def _alias(self, req: HttpRequest) -> Pipeline | None:
        host = (req.header("host") or "").split(":", 1)[0].lower()
        return self._by_alias.get(host)

    def _serve(self, pipeline: Pipeline, req: HttpRequest) -> HttpResponse:
        started = self.clock()
        request = EdgeRequest(req.method, req.path, req.query, list(req.headers), req.client_ip, req.body)
        viewer = EdgeRequest(req.method, req.path, req.query, list(req.headers), req.client_ip, req.body)
        try:
            response: EdgeResponse = pipeline.handle(request)
        except Exception:
            log.exception("%s: edge failed on %s %s", pipeline.distribution.address, req.method, req.path)
            body = b"<html><body><h1>502 Bad Gateway</h1><p>The local edge failed (see its log).</p></body></html>"
            response = EdgeResponse(502, [("Content-Type", "text/html"), ("x-localcloud-reason", "edge error")], body)
        access_log = self.access_logs.get(pipeline.distribution.address)
        if access_log is not None:
            response = access_log.served(viewer, response, started)  # as the viewer sent it, before any function
        return HttpResponse(response.status, response.headers, response.body)  # type: ignore[arg-type]
