"""Strict-Transport-Security, and when both front doors send it (the API's and the UI's header middleware).

Why a module of its own: ``service.ui.security`` and ``service.api.headers`` both need it, and the UI helpers
must not import the API package.
"""

from __future__ import annotations

from typing import Any

HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def hsts_wanted(scope: dict[str, Any]) -> bool:
    """HSTS whenever session cookies are Secure: over https, and always outside development (TLS then
    ends at a proxy, and a downgrade to plain http must not expose the cookie or the API token)."""
    if scope.get("scheme") == "https":
        return True
    ctx = getattr(getattr(scope.get("app"), "state", None), "ctx", None)
    return ctx is not None and ctx.settings.environment != "development"
