"""The page a link to an erased call leads to: "erased on request on DATE", never the call's content.

A call erased on a data subject's request leaves only a keyed digest of its client and telephony id
(``service.privacy.erased``), so this page can say what happened to the call without anything that tells
who called or what was said. Any other unknown call id is still the plain 404 page.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from service.calls.views import CallHidden
from service.privacy import audit
from service.privacy.erased import erased_key, find_erased
from service.ui.web import UiUser, render


def erased_page_or_raise(request: Request, session: Any, call_id: str, user: UiUser) -> HTMLResponse:
    """410 with the "erased" page when ``call_id`` names a call erased on request, else ``CallHidden``."""
    settings = request.app.state.ctx.settings
    client = request.query_params.get("client")
    clients = [client] if client else [c.name for c in settings.telephony_clients]
    found = find_erased(session, call_id, clients, key=erased_key(settings))
    if found is None:
        raise CallHidden("unknown call id")
    audit.record(session, user.name, user.role, "call.view_erased", "subject_request",
                 str(found.request_id) if found.request_id else None, {"via": "ui"})
    session.commit()
    return render(request, "call_erased.html", {"erased": found, "call_id": call_id}, user=user, status=410)
