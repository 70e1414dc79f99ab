"""Security headers on every non-UI response: the JSON API, the webhook, health, metrics and the API docs.

The UI pages get theirs (a CSP fitted to the templates) from ``service.ui.security``; this middleware leaves
``/`` and ``/ui…`` to it. API answers are JSON or audio that no browser should render as a page, frame, sniff
into another type or cache: ``default-src 'none'`` and ``no-store``. The interactive docs (``/docs``,
``/redoc``) load their own packaged scripts and styles: they get a CSP that allows those (same origin only).
"""

from __future__ import annotations

from typing import Any

from service.platform.hsts import HSTS, hsts_wanted

__all__ = ["DOCS_CSP", "DOCS_STATIC_URL", "HSTS", "ApiSecurityHeaders", "hsts_wanted"]

API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI starts itself from one inline script and ReDoc styles itself inline; everything else they load is
# this server's own (the assets are packaged, see ``service.api.app._fastapi``), so nothing may come from
# another origin. The openapi.json they fetch is same-origin (connect-src).
DOCS_CSP = (b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            b"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
            b"frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
DOCS_STATIC_URL = "/docs/static"
COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
          (b"x-frame-options", b"DENY")]
DOCS_PATHS = ("/docs", "/redoc")


def _is_ui(path: str) -> bool:
    return path == "/" or path == "/ui" or path.startswith("/ui/")


class ApiSecurityHeaders:
    """Pure ASGI middleware (no body buffering); headers a route set itself are left alone."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if scope["type"] != "http" or _is_ui(path):
            await self.app(scope, receive, send)
            return
        docs = path.startswith(DOCS_PATHS)
        wanted = [*COMMON, (b"content-security-policy", DOCS_CSP if docs else API_CSP)]
        if not docs:
            wanted.append((b"cache-control", b"no-store"))
        if hsts_wanted(scope):
            wanted.append(HSTS)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in wanted if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
