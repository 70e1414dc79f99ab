"""The privacy officer's queue page: requests said in calls, with their evidence, to confirm or reject.

The same domain code as ``/v1/privacy/items`` (``service.privacy.rights_items``), so a decision here is the
same record and audit trail. A form error (a missing verification, a reason quoting an identifier) shows the
queue again with the error; an unknown or already decided item is answered by ``service.ui.error_pages``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep
from service.api.routes.rights_items import ItemId
from service.calls.callbacks import notify_marketing_choice
from service.platform.errors import Invalid
from service.privacy import rights_items, subjects
from service.store.models import VERIFICATION_METHODS
from service.ui.web import CheckedForm, UiPrivacyOfficer, UiUser, render

router = APIRouter(prefix="/ui/privacy/items", include_in_schema=False)


def _queue(request: Request, session: SessionDep, user: UiUser, *, status: int = 200, **context: Any
           ) -> HTMLResponse:
    items = [i.to_dict() for i in rights_items.list_items(session, status="pending", limit=100)]
    return render(request, "privacy_items.html", {
        "items": items, "request_kinds": tuple(rights_items.REQUEST_KIND),
        "verification_methods": VERIFICATION_METHODS, "min_reference": subjects.MIN_REFERENCE, **context},
        user=user, status=status)


@router.get("")
def queue(request: Request, session: SessionDep, user: UiPrivacyOfficer) -> HTMLResponse:
    q = request.query_params
    notice = q.get("done") if q.get("done") in ("confirmed", "rejected") else None
    return _queue(request, session, user, notice=notice, request_id=q.get("request"))


@router.post("/{item_id}/confirm")
def confirm(item_id: ItemId, request: Request, session: SessionDep, user: UiPrivacyOfficer, form: CheckedForm,
            background: BackgroundTasks) -> Response:
    ctx = request.app.state.ctx
    try:
        d = rights_items.confirm(session, ctx.blobs, item_id, actor=user.name, role=user.role,
                                 verification_method=str(form.get("verification_method", "")) or None,
                                 verification=str(form.get("verification", "")) or None)
    except Invalid as exc:
        session.rollback()
        return _queue(request, session, user, status=422, error=str(exc))
    choice = rights_items.get_choice(session, d.choice_id) if d.choice_id is not None else None
    if choice is not None:
        background.add_task(notify_marketing_choice, ctx.settings, rights_items.choice_document(choice))
    session.commit()
    target = "/ui/privacy/items?done=confirmed" + (f"&request={d.request_id}" if d.request_id else "")
    return RedirectResponse(target, status_code=303)


@router.post("/{item_id}/reject")
def reject(item_id: ItemId, request: Request, session: SessionDep, user: UiPrivacyOfficer, form: CheckedForm
           ) -> Response:
    try:
        rights_items.reject(session, item_id, reason=str(form.get("reason", "")), actor=user.name, role=user.role)
    except Invalid as exc:
        session.rollback()
        return _queue(request, session, user, status=422, error=str(exc))
    return RedirectResponse("/ui/privacy/items?done=rejected", status_code=303)
