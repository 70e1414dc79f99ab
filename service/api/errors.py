"""Domain errors → HTTP in one place. Every error body is ``{"error": code, "detail": reason}``, PII-free.

Validation errors from pydantic normally echo the offending input back; that input may be a phone number or a
henkilötunnus, so we return only the location and the message.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlaTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by routes and services; carries an HTTP status, a stable code and a PII-free reason."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
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
        return problem(503, "store_unavailable", "the database is unavailable; retry later", {"Retry-After": "5"})

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
