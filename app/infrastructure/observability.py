"""Logs, request ids and metrics: JSON log lines with secrets redacted, a request id per HTTP
request, an access log per request, and Prometheus metrics at `/metrics` (summed over the
workers when `PROMETHEUS_MULTIPROC_DIR` is set, as `mrvtrace serve --workers N` does).

Sweeps and stores update the custom metrics through `record_sweep()` and
`record_store_error()`; they live in the default Prometheus registry that `/metrics` serves.
"""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
REDACTED = "[REDACTED]"
# Known secret values shorter than this are not substituted: they would shred ordinary words.
MIN_KNOWN_SECRET_LENGTH = 4
_HANDLER_NAME = "mrvtrace-json"
# How uvicorn introduces the traceback of an exception escaping the app during a request.
UVICORN_REQUEST_ERROR = "Exception in ASGI application"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

SWEEP_DURATION = Histogram(
    "mrvtrace_sweep_duration_seconds",
    "Wall-clock duration of sweeps.",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
SWEEPS_TOTAL = Counter("mrvtrace_sweeps_total", "Sweeps by final status.", ["status"])
# Under several workers (multiprocess mode) the value set last, by whichever process, holds.
FLAGS_CURRENT = Gauge(
    "mrvtrace_flags_current",
    "Unit-months flagged by the current sweep.",
    multiprocess_mode="mostrecent",
)
STORE_ERRORS_TOTAL = Counter(
    "mrvtrace_store_errors_total", "Store operations that raised, by operation.", ["operation"]
)
# The HTTP metrics (request count, sizes, latency by route template) are created once per
# process and shared by every app instance; the instrumentator would otherwise make new
# collectors per app, which the registry rejects as duplicates after the first app.
HTTP_METRICS = metrics.default()


def record_sweep(duration_s: float, status: str, flags: int | None = None) -> None:
    """Count a finished sweep; `flags` (unit-months flagged) updates the current-flags gauge."""
    SWEEP_DURATION.observe(duration_s)
    SWEEPS_TOTAL.labels(status=status).inc()
    if flags is not None:
        FLAGS_CURRENT.set(flags)


def record_store_error(operation: str) -> None:
    STORE_ERRORS_TOTAL.labels(operation=operation).inc()


# --- Redaction -------------------------------------------------------------------------------

_SECRET_NAME = (
    r"[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|credential|auth[_-]?key)[\w.-]*"
)
_SECRET_KEY_RE = re.compile(rf"^{_SECRET_NAME}$|^(?:proxy-)?authorization$|^cookie$", re.I)
# A value after `key=` / `key: `: quoted (spaces allowed) or up to the next separator.
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s\"'&,;}]+)"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host -> keep the user, hide the password.
    (re.compile(r"\b([a-z][a-z0-9+.-]*://[^\s:/@\"']+):[^\s@/\"']+@", re.I), rf"\1:{REDACTED}@"),
    # Authorization: Bearer xyz / "authorization": "Basic xyz"
    (
        re.compile(
            rf"\b((?:proxy-)?authorization[\"']?\s*[:=]\s*)"
            rf"(?:(?:bearer|basic|digest|token)\s+)?{_VALUE}",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    (re.compile(r"\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.I), rf"\1 {REDACTED}"),
    # password=xyz, NEO4J_PASSWORD: xyz, "api_key": "x y z", ?token=xyz
    (
        re.compile(rf"\b({_SECRET_NAME}[\"']?\s*[:=]\s*){_VALUE}", re.I),
        rf"\1{REDACTED}",
    ),
)


class SecretRedactor:
    """Replaces known secret values and secret-looking text (passwords, API keys,
    Authorization headers, credentials in URIs) with a placeholder."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def add_secrets(self, values: Iterable[str]) -> None:
        self._known.update(v for v in values if v and len(v) >= MIN_KNOWN_SECRET_LENGTH)

    def text(self, value: str) -> str:
        # Longest first so that a secret containing another is hidden whole.
        for secret in sorted(self._known, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def value(self, value: Any, key: str | None = None) -> Any:
        if key is not None and _SECRET_KEY_RE.match(key):
            return REDACTED
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self.value(v) for v in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        return self.text(str(value))


redactor = SecretRedactor()


def settings_secrets(settings: Settings) -> list[str]:
    """The secret values held by the settings: the Neo4j password, credentials in the URI,
    and each API key of `MRVTRACE_API_KEYS` (`scope=key,scope=key`)."""
    secrets = [settings.neo4j_password.get_secret_value()]
    match = re.search(r"://[^\s:/@]+:([^\s@/]+)@", settings.neo4j_uri)
    if match:
        secrets.append(match.group(1))
    if settings.api_keys is not None:
        keys_text = settings.api_keys.get_secret_value()
        secrets.append(keys_text)
        secrets.extend(item.partition("=")[2].strip() for item in keys_text.split(","))
    return secrets


def register_secrets(settings: Settings) -> None:
    """Redact the secret values of `settings` from every log line from now on."""
    redactor.add_secrets(settings_secrets(settings))


_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "request_id",
}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}


class SecretRedactionFilter(logging.Filter):
    """Rewrites a record in place so that no handler after it can see a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must still be logged, never raise into the caller
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redactor.text(message)
        record.args = None
        for key, value in _extras(record).items():
            setattr(record, key, redactor.value(value, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redactor.text(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor.text(record.stack_info)
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, request_id, then any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            # Which worker wrote the line, when several serve.
            "pid": record.process,
        }
        line.update(_extras(record))
        # uvicorn's copy of the message with terminal colour codes: noise in a log line.
        line.pop("color_message", None)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


class _LoggedByRequest(logging.Filter):
    """Drops the server's traceback of a request's unhandled error: RequestContextMiddleware
    has logged it already, with the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(UVICORN_REQUEST_ERROR)


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> None:
    """Send all logs as redacted JSON lines to `stream` (stderr by default). Idempotent."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(SecretRedactionFilter())
    handler.setFormatter(JsonLogFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    # Uvicorn's own access log prints raw paths with query strings; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    server_errors = logging.getLogger("uvicorn.error")
    for duplicate in [f for f in server_errors.filters if isinstance(f, _LoggedByRequest)]:
        server_errors.removeFilter(duplicate)
    server_errors.addFilter(_LoggedByRequest())


# --- HTTP ------------------------------------------------------------------------------------

access_logger = logging.getLogger("mrvtrace.access")
error_logger = logging.getLogger("mrvtrace.error")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.decode("latin-1").lower() == REQUEST_ID_HEADER.lower():
            candidate = value.decode("latin-1")
            # Only well-formed ids are trusted: anything else could inject text into logs.
            return candidate if _VALID_REQUEST_ID.match(candidate) else None
    return None


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", None) or "<unmatched>")


class RequestContextMiddleware:
    """Gives each HTTP request an id (the caller's X-Request-ID if well formed), exposes it to
    logs through a context variable, echoes it in the response, and writes one access-log line
    with method, route template, status and duration (never headers or query values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Logged here, with the request id; the server's own copy is dropped (see
            # configure_logging). Re-raised so the server still answers 500 and closes.
            error_logger.exception(
                "unhandled error",
                extra={"method": scope.get("method", ""), "route": _route_template(scope)},
            )
            raise
        finally:
            access_logger.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "request",
                extra={
                    "method": scope.get("method", ""),
                    "route": _route_template(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )
            request_id_var.reset(token)


def install_observability(app: FastAPI, settings: Settings) -> None:
    """Request ids, access log and `/metrics` (latency by route template) on `app`.

    Call it in the app factory, before the app starts.
    """
    register_secrets(settings)
    instrumentator = Instrumentator(should_group_status_codes=False, excluded_handlers=["/metrics"])
    instrumentator.add(HTTP_METRICS)
    instrumentator.instrument(app).expose(app, endpoint="/metrics", include_in_schema=False)
    # Added last so it is outermost: the request id is set before metrics and handlers run.
    app.add_middleware(RequestContextMiddleware)
