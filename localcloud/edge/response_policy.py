"""The response headers policy as a frozen value, read from `AWS::CloudFront::ResponseHeadersPolicy`'s
`ResponseHeadersPolicyConfig`.

A leaf module: `policies` re-exports these names and `response_headers` applies them. Parsing refuses
what CloudFront refuses ("Understand response headers policies"): removing a header on its can't-remove
list, an X-XSS-Protection with both mode=block and a report URI, an unknown frame or referrer option.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CORS_METHODS = ("GET", "DELETE", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
FRAME_OPTIONS = ("DENY", "SAMEORIGIN")
REFERRER_POLICIES = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)
# "Headers that you can't remove" ("Understand response headers policies"); `.*` entries are prefixes.
UNREMOVABLE = re.compile(
    r"(connection|content-encoding|content-length|expect|host|keep-alive|proxy-authenticate|"
    r"proxy-authorization|proxy-connection|trailer|transfer-encoding|upgrade|via|warning|x-accel-buffering|"
    r"x-accel-charset|x-accel-limit-rate|x-accel-redirect|x-amz-cf-.*|x-amzn-auth|x-amzn-cf-billing|"
    r"x-amzn-cf-id|x-amzn-cf-xff|x-amzn-errortype|x-amzn-fle-profile|x-amzn-header-count|"
    r"x-amzn-header-order|x-amzn-lambda-integration-tag|x-amzn-requestid|x-cache|x-edge-.*|"
    r"x-forwarded-proto|x-real-ip)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CorsConfig:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_credentials: bool = False
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    override: bool = False


@dataclass(frozen=True)
class CustomHeader:
    name: str
    value: str
    override: bool


@dataclass(frozen=True)
class SecurityHeaders:
    """Each entry is (header value, override); None where the policy leaves the header out."""

    hsts: tuple[str, bool] | None = None
    csp: tuple[str, bool] | None = None
    content_type_options: tuple[str, bool] | None = None
    frame_options: tuple[str, bool] | None = None
    referrer_policy: tuple[str, bool] | None = None
    xss_protection: tuple[str, bool] | None = None

    def items(self) -> list[tuple[str, str, bool]]:
        named = (
            ("Strict-Transport-Security", self.hsts),
            ("Content-Security-Policy", self.csp),
            ("X-Content-Type-Options", self.content_type_options),
            ("X-Frame-Options", self.frame_options),
            ("Referrer-Policy", self.referrer_policy),
            ("X-XSS-Protection", self.xss_protection),
        )
        return [(name, entry[0], entry[1]) for name, entry in named if entry is not None]


@dataclass(frozen=True)
class ResponseHeadersPolicy:
    name: str
    cors: CorsConfig | None = None
    security: SecurityHeaders = SecurityHeaders()
    custom: tuple[CustomHeader, ...] = ()
    remove: tuple[str, ...] = ()
    server_timing: bool = False
    server_timing_rate: float = 0.0
    id: str | None = None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.get("Items") or [])
    return list(value)


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    for option in allowed:
        if str(value).lower() == option.lower():
            return option
    raise ValueError(f"{where} must be one of {', '.join(allowed)}, got {value!r}")


def _cors(config: Mapping[str, Any] | None) -> CorsConfig | None:
    if not config:
        return None
    methods = tuple(str(m).upper() for m in _items(config.get("AccessControlAllowMethods")))
    if "ALL" in methods:
        methods = CORS_METHODS
    for method in methods:
        _choice(method, CORS_METHODS, "CorsConfig.AccessControlAllowMethods")
    max_age = config.get("AccessControlMaxAgeSec")
    return CorsConfig(
        allow_origins=tuple(str(o) for o in _items(config.get("AccessControlAllowOrigins"))),
        allow_headers=tuple(str(h) for h in _items(config.get("AccessControlAllowHeaders"))),
        allow_methods=methods,
        allow_credentials=_flag(config.get("AccessControlAllowCredentials")),
        expose_headers=tuple(str(h) for h in _items(config.get("AccessControlExposeHeaders"))),
        max_age=None if max_age is None else int(max_age),
        override=_flag(config.get("OriginOverride")),
    )


def _hsts(config: Mapping[str, Any]) -> str:
    value = f"max-age={int(config.get('AccessControlMaxAgeSec', 0))}"
    if _flag(config.get("IncludeSubdomains")):
        value += "; includeSubDomains"
    if _flag(config.get("Preload")):
        value += "; preload"
    return value


def _xss(config: Mapping[str, Any]) -> str:
    block, report = _flag(config.get("ModeBlock")), config.get("ReportUri")
    if block and report:
        raise ValueError("SecurityHeadersConfig.XSSProtection takes ModeBlock or ReportUri, not both")
    if not _flag(config.get("Protection")):
        return "0"
    return "1" + ("; mode=block" if block else "") + (f"; report={report}" if report else "")


def _security(config: Mapping[str, Any] | None) -> SecurityHeaders:
    config = config or {}
    where = "SecurityHeadersConfig"

    def entry(key: str, render: Any) -> tuple[str, bool] | None:
        section = config.get(key)
        if not section:
            return None
        return render(section), _flag(section.get("Override"))

    return SecurityHeaders(
        hsts=entry("StrictTransportSecurity", _hsts),
        csp=entry("ContentSecurityPolicy", lambda s: str(s.get("ContentSecurityPolicy", ""))),
        content_type_options=entry("ContentTypeOptions", lambda s: "nosniff"),
        frame_options=entry("FrameOptions", lambda s: _choice(s.get("FrameOption"), FRAME_OPTIONS, where)),
        referrer_policy=entry("ReferrerPolicy", lambda s: _choice(s.get("ReferrerPolicy"), REFERRER_POLICIES, where)),
        xss_protection=entry("XSSProtection", _xss),
    )


def response_headers_policy_from_cfn(
    config: Mapping[str, Any], *, policy_id: str | None = None
) -> ResponseHeadersPolicy:
    """An `AWS::CloudFront::ResponseHeadersPolicy`'s `ResponseHeadersPolicyConfig`."""
    custom = tuple(
        CustomHeader(str(item["Header"]), str(item.get("Value", "")), _flag(item.get("Override")))
        for item in _items((config.get("CustomHeadersConfig") or {}).get("Items"))
    )
    remove = tuple(str(item["Header"]) for item in _items((config.get("RemoveHeadersConfig") or {}).get("Items")))
    for name in remove:
        if UNREMOVABLE.fullmatch(name):
            raise ValueError(f"RemoveHeadersConfig: CloudFront does not allow removing {name}")
    timing = config.get("ServerTimingHeadersConfig") or {}
    return ResponseHeadersPolicy(
        name=str(config.get("Name", "")),
        cors=_cors(config.get("CorsConfig")),
        security=_security(config.get("SecurityHeadersConfig")),
        custom=custom,
        remove=remove,
        server_timing=_flag(timing.get("Enabled")),
        server_timing_rate=float(timing.get("SamplingRate", 0) or 0),
        id=policy_id,
    )
