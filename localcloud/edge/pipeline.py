"""One viewer request through a distribution, in CloudFront's order:

    behaviour → viewer protocol and method → viewer-request function → cache lookup
      hit: served from the cache (ranges and conditionals answered at the edge)
      miss: collapsed onto a fetch under way, or leads one: origin-request trigger → origin (groups fail
            over) → origin-response trigger → custom error page → TTL → streamed into the cache while
            it is served
    → viewer-response function → response headers policy → X-Cache, Via, X-Amz-Cf-Id, Age

Origin triggers run on misses only, viewer triggers on every request, as on CloudFront. A stale entry is
revalidated with the origin (RefreshHit on 304) and served as is when the origin then fails with a 5xx.
Behaviours whose cache policy disables caching never store, collapse or compress.

The local edge speaks plain HTTP on loopback, standing in for HTTPS: a viewer counts as HTTPS unless it
sends `X-Forwarded-Proto: http`, so redirect-to-https and https-only can still be tried.
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from localcloud.edge import ttl
from localcloud.edge.bodies import Bodies, pass_through, uncached
from localcloud.edge.book import BehaviorPolicies, PolicyBook
from localcloud.edge.cachekey import cache_key, origin_request, via
from localcloud.edge.collapse import FAILED, STREAMING, Collapser
from localcloud.edge.compute import EdgeCompute, EdgeFunctionFailed
from localcloud.edge.config import Behavior, Distribution
from localcloud.edge.fetching import OriginClient
from localcloud.edge.model import EdgeRequest, EdgeResponse, Headers, header, without
from localcloud.edge.origins import OriginError, OriginResponse
from localcloud.edge.response_headers import apply_policy, is_preflight, preflight_response
from localcloud.edge.serving import edge_headers
from localcloud.edge.store import CacheStore, Entry, Fill
from localcloud.edge.viewer import Viewer

log = logging.getLogger("localcloud.edge")

HIT, MISS, REFRESH_HIT, ERROR = (
    "Hit from cloudfront",
    "Miss from cloudfront",
    "RefreshHit from cloudfront",
    "Error from cloudfront",
)
FUNCTION_RESPONSE, LAMBDA_RESPONSE = (
    "FunctionGeneratedResponse from cloudfront",
    "LambdaGeneratedResponse from cloudfront",
)
_MAX_FAILED_LEADS = 3


@dataclass
class Context:
    """What the stages of one request share."""

    request_id: str
    viewer: Viewer
    behavior: Behavior
    policies: BehaviorPolicies


class Pipeline:
    def __init__(
        self,
        distribution: Distribution,
        *,
        book: PolicyBook,
        store: CacheStore,
        origins: OriginClient,
        compute: EdgeCompute,
        collapser: Collapser | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.distribution = distribution
        self.book = book
        self.store = store
        self.origins = origins
        self.compute = compute
        self.collapser = collapser or Collapser()
        self.clock = clock
        self.stats = {"hits": 0, "misses": 0, "refresh_hits": 0, "errors": 0, "collapsed": 0, "origin_fetches": 0}
        self._via = via(distribution.domain_name)
        self.bodies = Bodies(store, clock, distribution.address)

    # the request ------------------------------------------------------------------------------------

    def handle(self, request: EdgeRequest, viewer: Viewer | None = None) -> EdgeResponse:
        viewer = viewer or _viewer_of(request)
        request_id = base64.urlsafe_b64encode(os.urandom(42)).decode()
        if request.uri == "/" and self.distribution.default_root_object:
            request.uri = "/" + self.distribution.default_root_object
        behavior = self.distribution.behavior_for(request.uri)
        ctx = Context(request_id, viewer, behavior, self.book.for_behavior(behavior))
        refused = self._refusal(request, ctx)
        if refused is not None:
            return self._finish(request, refused, ctx, ERROR)
        try:
            changed = self.compute.viewer_request(self.distribution, behavior, request, request_id)
        except EdgeFunctionFailed as exc:
            return self._finish(request, _plain(exc.status, exc.message), ctx, ERROR)
        if isinstance(changed, EdgeResponse):
            generated = FUNCTION_RESPONSE if behavior.function("viewer-request") else LAMBDA_RESPONSE
            return self._finish(request, changed, ctx, generated, run_viewer_response=False)
        request = changed
        if ctx.policies.response_headers and is_preflight(request) and "OPTIONS" not in behavior.allowed_methods:
            preflight = preflight_response(request, ctx.policies.response_headers)
            if preflight is not None:
                return self._finish(request, preflight, ctx, MISS)
        try:
            response, x_cache = self._cached_or_fetched(request, ctx)
        except EdgeFunctionFailed as exc:
            response, x_cache = _plain(exc.status, exc.message), ERROR
        except OriginError as exc:
            response, x_cache = _plain(exc.status, exc.reason, reason=exc.reason), ERROR
        return self._finish(request, response, ctx, x_cache)

    def _refusal(self, request: EdgeRequest, ctx: Context) -> EdgeResponse | None:
        policy = ctx.behavior.viewer_protocol_policy
        if ctx.viewer.protocol == "http" and policy == "redirect-to-https":
            host = request.header("host") or self.distribution.domain_name
            target = f"https://{host}{request.uri}" + (f"?{request.querystring}" if request.querystring else "")
            return EdgeResponse(301, [("Location", target), ("Content-Length", "0")], b"")
        if ctx.viewer.protocol == "http" and policy == "https-only":
            return _plain(403, "This distribution answers HTTPS only.", reason="behaviour is https-only")
        if request.method.upper() not in ctx.behavior.allowed_methods:
            allowed = ", ".join(sorted(ctx.behavior.allowed_methods))
            return _plain(403, "This distribution is not configured to allow the HTTP request method that was used.",
                          reason=f"method {request.method} is not in AllowedMethods ({allowed})")  # fmt: skip
        return None

    # cache ------------------------------------------------------------------------------------------

    def _cacheable(self, request: EdgeRequest, ctx: Context) -> bool:
        method = request.method.upper()
        return not ctx.policies.cache.caching_disabled and method in ctx.behavior.cached_methods

    def _cached_or_fetched(self, request: EdgeRequest, ctx: Context) -> tuple[EdgeResponse, str]:
        if not self._cacheable(request, ctx):
            self.stats["misses"] += 1
            return uncached(request, self._fetch(request, ctx)), MISS
        key = cache_key(request, ctx.policies.cache, host=self.distribution.domain_name, viewer=ctx.viewer)
        for _ in range(_MAX_FAILED_LEADS):
            now = self.clock()
            entry = self.store.get(key)
            if entry is not None and entry.fresh(now):
                self.stats["hits"] += 1
                entry.hits += 1
                return self.bodies.from_entry(request, entry), HIT
            if entry is not None:
                return self._revalidate(request, ctx, key, entry)
            joined = self.store.join(key)
            if joined is not None:
                self.stats["collapsed"] += 1
                return self.bodies.from_fill(request, *joined), MISS
            lead, flight = self.collapser.enter(key)
            if lead:
                return self._lead(request, ctx, key, flight)
            outcome = self.collapser.wait(flight)
            if outcome == STREAMING:
                self.stats["collapsed"] += 1
                return self.bodies.follow(request, key, flight.fill), MISS
            if outcome != FAILED:  # uncacheable, or the lock timed out: fetch alone, store nothing
                self.stats["misses"] += 1
                return uncached(request, self._fetch(request, ctx)), MISS
        self.stats["misses"] += 1
        return uncached(request, self._fetch(request, ctx)), MISS

    def _lead(self, request: EdgeRequest, ctx: Context, key: str, flight) -> tuple[EdgeResponse, str]:
        self.stats["misses"] += 1
        try:
            response = self._fetch(request, ctx)
        except BaseException:
            self.collapser.failed(flight)
            raise
        seconds = self._ttl(response, ctx)
        if not seconds or response.status == 206:
            self.collapser.uncacheable(flight)
            return pass_through(request, response), ERROR if response.status >= 400 else MISS
        fill = self._fill(request, ctx, key, response, seconds)
        self.collapser.streaming(flight, fill)
        return self.bodies.follow(request, key, fill), ERROR if response.status >= 400 else MISS

    def _revalidate(self, request: EdgeRequest, ctx: Context, key: str, stale: Entry) -> tuple[EdgeResponse, str]:
        """A stale entry: ask the origin whether it changed (If-None-Match / If-Modified-Since)."""
        candidates = (
            ("If-None-Match", header(stale.headers, "etag")),
            ("If-Modified-Since", header(stale.headers, "last-modified")),
        )
        validators = [(k, v) for k, v in candidates if v]
        kept = without(request.headers, "if-none-match", "if-modified-since", "range", "if-range")
        probe = EdgeRequest("GET", request.uri, request.querystring, [*kept, *validators], request.client_ip)
        now = self.clock()
        try:
            response = self._fetch(probe, ctx, validators=validators)
        except OriginError:
            if ttl.stale_copy_allowed(None, stale.headers, ctx.policies.cache, now=now, expired_at=stale.expires_at):
                self.stats["hits"] += 1
                return self.bodies.from_entry(request, stale), HIT
            raise
        if response.status == 304 and validators:
            response.close()
            fresh = self._ttl(OriginResponse(stale.status, stale.headers, iter(())), ctx) or 0
            stale.expires_at = now + fresh
            stale.stored_at = now
            self.stats["refresh_hits"] += 1
            return self.bodies.from_entry(request, stale), REFRESH_HIT
        if response.status >= 500 and ttl.stale_copy_allowed(
            response.status, stale.headers, ctx.policies.cache, now=now, expired_at=stale.expires_at
        ):
            response.close()
            self.stats["hits"] += 1
            return self.bodies.from_entry(request, stale), HIT
        self.stats["misses"] += 1
        seconds = self._ttl(response, ctx)
        if not seconds:
            return pass_through(request, response), MISS
        fill = self._fill(request, ctx, key, response, seconds)
        return self.bodies.follow(request, key, fill), MISS

    # origin -----------------------------------------------------------------------------------------

    def _fetch(self, request: EdgeRequest, ctx: Context, validators: Headers = ()) -> OriginResponse:
        """Origin-request trigger, the origin (or group), origin-response trigger, custom error page."""
        origin_id = ctx.behavior.target_origin_id
        origin = (
            self.distribution.origins.get(origin_id)
            or self.distribution.origins[self.distribution.origin_groups[origin_id].members[0]]
        )
        outgoing = origin_request(
            request,
            ctx.policies.cache,
            ctx.policies.origin_request,
            origin_host=origin.domain,
            viewer_protocol=ctx.viewer.protocol,
            distribution_domain=self.distribution.domain_name,
            add_headers=list(origin.custom_headers),
            viewer=ctx.viewer,
            request_id=ctx.request_id,
            options_cached="OPTIONS" in ctx.behavior.cached_methods,
            s3_origin=origin.kind == "s3",
        )
        if validators:
            outgoing.headers = [*without(outgoing.headers, *(k for k, _ in validators)), *validators]
        changed = self.compute.origin_request(self.distribution, ctx.behavior, outgoing, origin, ctx.request_id)
        if isinstance(changed, EdgeResponse):
            return OriginResponse(changed.status, changed.headers, changed.chunks())
        self.stats["origin_fetches"] += 1
        _, response = self.origins.fetch(
            self.distribution, origin_id, changed, viewer_https=ctx.viewer.protocol == "https"
        )
        response = self.compute.origin_response(self.distribution, ctx.behavior, changed, response, ctx.request_id)
        return self._error_page(response, ctx)

    def _error_page(self, response: OriginResponse, ctx: Context) -> OriginResponse:
        """A custom error response: the page at ResponsePagePath, fetched through its own behaviour."""
        custom = self.distribution.error_responses.get(response.status)
        if custom is None or not custom.response_page_path:
            return response
        response.close()
        page_request = EdgeRequest("GET", custom.response_page_path, "", [], "127.0.0.1")
        page_behavior = self.distribution.behavior_for(custom.response_page_path)
        page_ctx = Context(ctx.request_id, ctx.viewer, page_behavior, self.book.for_behavior(page_behavior))
        try:
            page = self._fetch_plain(page_request, page_ctx)
        except OriginError:
            return OriginResponse(response.status, [("Content-Type", "text/plain")], iter([b"error"]))
        status = custom.response_code or response.status
        return OriginResponse(status, page.headers, page.body, page.close)

    def _fetch_plain(self, request: EdgeRequest, ctx: Context) -> OriginResponse:
        origin = self.distribution.origins.get(ctx.behavior.target_origin_id)
        outgoing = origin_request(
            request, ctx.policies.cache, ctx.policies.origin_request, origin_host=origin.domain if origin else "",
            viewer_protocol=ctx.viewer.protocol, distribution_domain=self.distribution.domain_name,
            add_headers=list(origin.custom_headers) if origin else [], request_id=ctx.request_id,
        )  # fmt: skip
        self.stats["origin_fetches"] += 1
        return self.origins.fetch(self.distribution, ctx.behavior.target_origin_id, outgoing)[1]

    def _ttl(self, response: OriginResponse, ctx: Context) -> float | None:
        custom = self.distribution.error_responses.get(response.status)
        return ttl.object_ttl(
            response.status,
            response.headers,
            ctx.policies.cache,
            now=self.clock(),
            error_min_ttl=custom.caching_min_ttl if custom else None,
        )

    def _fill(self, request: EdgeRequest, ctx: Context, key: str, response: OriginResponse, seconds: float) -> Fill:
        return self.bodies.fill(
            request, key, response, seconds, behavior=ctx.behavior, policy=ctx.policies.cache,
            http_version=ctx.viewer.http_version,
        )  # fmt: skip

    # the answer -----------------------------------------------------------------------------------

    def _finish(
        self,
        request: EdgeRequest,
        response: EdgeResponse,
        ctx: Context,
        x_cache: str,
        *,
        run_viewer_response: bool = True,
    ) -> EdgeResponse:
        if x_cache == ERROR:
            self.stats["errors"] += 1
        if run_viewer_response:
            try:
                response = self.compute.viewer_response(
                    self.distribution, ctx.behavior, request, response, ctx.request_id
                )
            except EdgeFunctionFailed as exc:
                response, x_cache = _plain(exc.status, exc.message), ERROR
        if ctx.policies.response_headers is not None:
            response.headers = apply_policy(
                response.headers, ctx.policies.response_headers, request, cache_hit=x_cache == HIT, now=self.clock()
            )
        age = header(response.headers, "age")
        response.headers = edge_headers(
            without(response.headers, "age"),
            x_cache=x_cache,
            request_id=ctx.request_id,
            via=self._via,
            age=int(age) if x_cache in (HIT, REFRESH_HIT) and age and age.isdigit() else None,
        )
        return response


def _plain(status: int, message: str, *, reason: str | None = None) -> EdgeResponse:
    body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1><p>{message}</p></body></html>\n"
    headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
    if reason:
        headers.append(("x-localcloud-reason", reason[:500]))
    return EdgeResponse(status, headers, body.encode())


def _viewer_of(request: EdgeRequest) -> Viewer:
    forwarded = (request.header("x-forwarded-proto") or "https").strip().lower()
    request.headers = without(request.headers, "x-forwarded-proto")
    return Viewer(protocol="http" if forwarded == "http" else "https")
