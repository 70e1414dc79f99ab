"""Response headers for the UI pages: a strict Content-Security-Policy and no caching of personal pages.

A pure ASGI middleware (no request body buffering) that only touches ``/`` and ``/ui…`` responses, so the
webhook and the JSON API are left exactly as they were.
"""

from __future__ import annotations

from typing import Any

from service.platform.hsts import HSTS, hsts_wanted

# No inline script or style anywhere in the templates; audio streams from /v1/calls/{id}/audio.ogg.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
NO_STORE = (b"cache-control", b"no-store")


class UiSecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path == "/ui" or path.startswith("/ui/")):
            await self.app(scope, receive, send)
            return
        static = path.startswith("/ui/static/")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in names]
                if not static and b"cache-control" not in names:
                    extra.append(NO_STORE)
                if hsts_wanted(scope) and HSTS[0] not in names:
                    extra.append(HSTS)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
