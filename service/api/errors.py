"""Domain errors → HTTP in one place. Every error body is ``{"error": code, "detail": reason}``, PII-free.

Each kind of ``service.platform.errors.DomainError`` has one status here (``STATUS``); the error's own ``code`` is the
body's ``error``, and an ``Unavailable`` answer says when to retry. Routes do not translate domain errors. The
web UI adds a page renderer (``add_page_renderer``) that answers its pages' errors with an HTML page instead.

Validation errors from pydantic normally echo the offending input back; that input may be a phone number or a
henkilötunnus, so we return only the location and the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlaTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from service.platform.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    StorageFull,
    Unavailable,
    kind_of,
)

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    DomainError: 400, NotFound: 404, Conflict: 409, Invalid: 422, Forbidden: 403, Unavailable: 503,
    StorageFull: 507,
}
RETRY_AFTER_S = "5"  # webhook senders back off on it; the database answer below says the same
# A front door's own rendering of a domain error (the UI's error page), or None to leave it to problem JSON.
PageRenderer = Callable[[Request, DomainError, int], Response | None]


class ApiError(Exception):
    """Raised by routes and services; carries an HTTP status, a stable code and a PII-free reason."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def status_of(exc: DomainError) -> int:
    """The HTTP status of ``exc``'s kind."""
    return STATUS[kind_of(exc)]


def domain_problem(exc: DomainError) -> JSONResponse:
    """The problem JSON of a domain error: its kind's status, its code, its (PII-free) message."""
    headers = {"Retry-After": RETRY_AFTER_S} if isinstance(exc, Unavailable) else None
    return problem(status_of(exc), exc.code, str(exc), headers)


def add_page_renderer(app: FastAPI, renderer: PageRenderer) -> None:
    """Let ``renderer`` answer domain errors first (after ``install``); it returns None for requests that are
    not its pages."""
    app.state.domain_error_pages.append(renderer)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    app.state.domain_error_pages = []

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        status = status_of(exc)
        for render_page in request.app.state.domain_error_pages:
            page: Response | None = render_page(request, exc, status)
            if page is not None:
                return page
        return domain_problem(exc)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "invalid_request", _validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error")
        detail = exc.detail if isinstance(exc.detail, str) else code
        return problem(exc.status_code, code, detail, getattr(exc, "headers", None))

    async def _db_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # Connection refused or lost, database locked past the busy timeout, pool exhausted: a retry later
        # may succeed, so say so (a 500 would read as a bug, and webhook senders back off on Retry-After).
        log.warning("database unavailable (%s) on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem(503, "store_unavailable", "the database is unavailable; retry later",
                       {"Retry-After": RETRY_AFTER_S})

    for exc_type in (OperationalError, InterfaceError, SqlaTimeoutError):
        app.add_exception_handler(exc_type, _db_unavailable)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _exc: ClientDisconnect) -> JSONResponse:
        # The sender hung up mid-upload: nobody reads this answer, and it is not a server error.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return problem(400, "client_disconnected", "the request body ended early")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Type only: an exception message may quote personal data.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem(500, "internal_error", "internal error; see server logs for the request")
