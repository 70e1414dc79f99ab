"""The call page's legal-hold form: admins and privacy officers put a hold on or lift it, with a reason.

The same domain code as ``PUT/DELETE /v1/calls/{call_id}/legal-hold`` (``service.privacy.legal_hold``), so
the page, the API and the CLI keep one record and one audit trail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from service.api.deps import CtxDep, SessionDep
from service.api.routes.ui_calls import call_page
from service.calls.call_urls import call_url
from service.calls.views import find_call_by_external_id
from service.privacy.legal_hold import InvalidHoldReason, set_hold
from service.store.kinds import Role
from service.ui.web import CheckedForm, UiUser, require_ui_roles

router = APIRouter(include_in_schema=False)
HOLD_ROLES = (Role.ADMIN.value, Role.PRIVACY_OFFICER.value)
UiHoldKeeper = Annotated[UiUser, Depends(require_ui_roles(*HOLD_ROLES))]


@router.post("/ui/calls/{call_id}/legal-hold", response_model=None)
def legal_hold(call_id: str, request: Request, session: SessionDep, ctx: CtxDep, user: UiHoldKeeper,
               form: CheckedForm) -> Response:
    """Put the manual hold on (``on=1``) or lift it (``on=0``), then back to the call page with a notice.

    A refused reason gets the call page itself (422) with the message and the form as it was sent, except
    a reason that quoted an identifier, which is never shown again."""
    client = request.query_params.get("client")
    call = find_call_by_external_id(session, call_id, include_restricted=True, client=client)
    on = str(form.get("on", "")) == "1"
    reason = str(form.get("reason") or "")
    try:
        set_hold(session, call.id, on, reason=reason, actor=user.name, role=user.role)
    except InvalidHoldReason as exc:
        session.rollback()
        request.state.hold_form = {"on": on, "error": f"hold.error.{exc.detail}",
                                   "reason": reason if exc.detail == "length" else ""}
        page = call_page(call_id, request, session, ctx, user)
        page.status_code = 422
        return page
    session.commit()
    target = call_url("/ui/calls", call.external_id, call.client)
    return RedirectResponse(f"{target}&hold={'on' if on else 'off'}#legal-hold", status_code=303)
