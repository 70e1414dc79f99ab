"""The QA workbench's forms on the call page: mark reviewed / unmark, fill in the scorecard, and report a
redaction as "not an identifier". Plain HTML forms (CSRF-checked), so they work without JavaScript.

Only QA reviewers write these (officers and admins see them on the page); every change is audited by the
domain functions. A bad submission re-renders the call page with a 422, the message in the page's language,
and the form keeping what was typed.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import CtxDep, SessionDep
from service.api.routes.ui_calls import _visible, render_call_page
from service.api.schemas import CLIENT_NAME_PATTERN
from service.calls.call_urls import call_url
from service.calls.qa_review import (
    AlreadyReported,
    CommentTooLong,
    NoSuchRedaction,
    UnknownReason,
    mark_reviewed,
    report_over_redaction,
    unmark_reviewed,
)
from service.calls.scorecard import InvalidAnswers, get_scorecard, save_answers
from service.jobs import metrics
from service.store.kinds import Role
from service.ui.web import CheckedForm, UiUser, require_ui_roles

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
UiQaReviewer = Annotated[UiUser, Depends(require_ui_roles(Role.QA_REVIEWER.value))]
Client = Annotated[str | None, Query(pattern=CLIENT_NAME_PATTERN)]


def _back(call: Any, anchor: str) -> RedirectResponse:
    return RedirectResponse(call_url("/ui/calls", call.external_id, call.client) + anchor, status_code=303)


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.post("/ui/calls/{call_id}/reviewed")
def reviewed(call_id: str, request: Request, session: SessionDep, ctx: CtxDep, user: UiQaReviewer,
             form: CheckedForm, client: Client = None) -> Response:
    """Mark the call reviewed (with an optional short comment), or unmark it (``action=unmark``)."""
    call = _visible(session, call_id, client, user.may_see_restricted, user)
    comment = _field(form, "comment")
    try:
        if _field(form, "action") == "unmark":
            unmark_reviewed(session, call.id, reviewer=user.name, role=user.role)
        else:
            mark_reviewed(session, call.id, reviewer=user.name, role=user.role, comment=comment)
    except CommentTooLong:
        session.rollback()
        return _again(request, session, ctx, user, call, {"qa_error": "qa.comment_too_long",
                                                         "qa_form": {"comment": comment}})
    session.commit()
    return _back(call, "#qa-review")


@router.post("/ui/calls/{call_id}/scorecard")
def scorecard(call_id: str, request: Request, session: SessionDep, ctx: CtxDep, user: UiQaReviewer,
              form: CheckedForm, client: Client = None) -> Response:
    """Store the scorecard's answers and their weighted score."""
    call = _visible(session, call_id, client, user.may_see_restricted, user)
    card = get_scorecard()
    try:
        answers = card.parse(form)
    except InvalidAnswers as exc:
        given = {q.id: _field(form, f"q_{q.id}") for q in card.questions}
        return _again(request, session, ctx, user, call, {"score_error": exc.questions, "score_form": given})
    save_answers(session, call.id, card, answers, reviewer=user.name, role=user.role)
    session.commit()
    return _back(call, "#qa-scorecard")


@router.post("/ui/calls/{call_id}/over-redaction")
def over_redaction(call_id: str, request: Request, session: SessionDep, ctx: CtxDep, user: UiQaReviewer,
                   form: CheckedForm, client: Client = None) -> Response:
    """Report the redaction at (turn, start) as not an identifier; nothing is unredacted."""
    call = _visible(session, call_id, client, user.may_see_restricted, user)
    turn, start = _field(form, "turn"), _field(form, "start")
    if not (turn.isdigit() and start.isdigit() and len(turn) < 7 and len(start) < 10):
        return _again(request, session, ctx, user, call, {"flag_error": "qa.no_such_redaction"})
    try:
        report = report_over_redaction(session, call.id, turn_idx=int(turn), start=int(start),
                                       reason=_field(form, "reason"), reviewer=user.name, role=user.role)
    except (UnknownReason, NoSuchRedaction, AlreadyReported) as exc:
        session.rollback()
        key = {"unknown_reason": "qa.unknown_reason", "already_reported": "qa.already_reported"}.get(
            exc.code, "qa.no_such_redaction")
        status = 409 if isinstance(exc, AlreadyReported) else 422
        return _again(request, session, ctx, user, call, {"flag_error": key}, status)
    session.commit()
    metrics.review_reported("over_redaction", report.type)
    log.info("over-redaction reported on call %s (type %s)", call.id, report.type)
    return _back(call, "#qa-flags")


def _again(request: Request, session: Any, ctx: Any, user: UiUser, call: Any, extra: dict[str, Any],
           status: int = 422) -> HTMLResponse:
    return render_call_page(request, session, ctx, user, call, extra=extra, status=status)
