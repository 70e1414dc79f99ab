"""Domain errors on the UI's pages: the kinds ``service.api.errors`` maps for the API, shown as the error page.

A page route lets a domain error go (``RequestNotFound``, ``CallHidden``, ``AmbiguousCallId``…) and gets the
error page with the status of the error's kind, in the visitor's language and with their frame. A request
that did not come through a page's login (an API route, or the UI's JSON endpoint for reporting a missed
identifier) is left to the API's problem JSON.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from service.platform.errors import DomainError
from service.ui.web import page_user, render

# The catalogue's message for an error code; other errors read "no such page or call" (403: "your role may not").
PAGE_KEYS = {"ambiguous_call_id": "error.ambiguous_call"}


def domain_error_page(request: Request, exc: DomainError, status: int) -> HTMLResponse | None:
    """The error page for ``exc`` on a UI page, or None when the request is not a page's."""
    user = page_user(request)
    if user is None:
        return None
    key = PAGE_KEYS.get(exc.code) or ("error.403" if status == 403 else "error.404")
    return render(request, "error.html", {"message": key, "status": status}, user=user, status=status)
