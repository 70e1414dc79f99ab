"""Every person's own account page: change the password, create, list and revoke personal API tokens.

Credentials belong to their owner alone (review #7): an admin who creates an account hands over only a
temporary password that opens nothing but the password page, and API tokens are made here by the owner,
shown once, and revoked one by one. A password change ends every other session of the account (a stolen
cookie too); the browser that made the change gets a fresh session.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.provenance import utcnow
from service.api.deps import SessionDep
from service.auth.browser import start_session
from service.privacy import audit
from service.store.repo_users import get_user, issue_token, list_tokens, password_login, revoke_token, set_password
from service.ui.web import CheckedForm, UiUser, UiUserDep, render

router = APIRouter(prefix="/ui/account", include_in_schema=False)
MIN_PASSWORD = 12
MAX_TOKEN_DAYS = 366


def _account_page(request: Request, session: SessionDep, user: UiUser, *, status: int = 200,
                  **context: object) -> HTMLResponse:
    tokens = list_tokens(session, user.auth.user.id)
    return render(request, "account.html", {"tokens": tokens, "now": utcnow(),
                                            "changed": "changed" in request.query_params,
                                            "revoked": "revoked" in request.query_params, **context},
                  user=user, status=status)


@router.get("")
def account_page(request: Request, session: SessionDep, user: UiUserDep) -> HTMLResponse:
    """The person's own tokens (label, created, last used, expiry, revoked) and the way to add one."""
    return _account_page(request, session, user)


@router.post("/tokens")
def new_token(request: Request, session: SessionDep, user: UiUserDep, form: CheckedForm) -> HTMLResponse:
    """A new personal API token with an optional expiry, shown on this response only."""
    label = str(form.get("label", "")).strip()[:100] or None
    days_text = str(form.get("days", "")).strip()
    days = int(days_text) if days_text.isdigit() else None
    if (days_text and days is None) or (days is not None and not 1 <= days <= MAX_TOKEN_DAYS):
        return _account_page(request, session, user, status=422, error="account.bad_days")
    expires = utcnow() + timedelta(days=days) if days is not None else None
    token = issue_token(session, user.auth.user, label=label, expires_at=expires)
    audit.record(session, user.name, user.role, "token.create", "user", user.name,
                 {"expires_days": days})
    session.commit()
    return _account_page(request, session, user, status=201, created_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke(token_id: int, request: Request, session: SessionDep, user: UiUserDep,
           _form: CheckedForm) -> Response:
    """Revoke one of the person's own tokens (someone else's token is not found)."""
    if not revoke_token(session, user.auth.user.id, token_id):
        return _account_page(request, session, user, status=404, error="account.no_token")
    audit.record(session, user.name, user.role, "token.revoke", "api_token", str(token_id))
    session.commit()
    return RedirectResponse("/ui/account?revoked=1", status_code=303)


@router.get("/password")
def password_form(request: Request, user: UiUserDep) -> HTMLResponse:
    """The password change form (the only page a temporary password opens)."""
    return render(request, "password.html", {"forced": user.auth.user.must_change_password}, user=user)


@router.post("/password")
def change_password(request: Request, session: SessionDep, user: UiUserDep, form: CheckedForm) -> Response:
    """Check the current password, set the new one, end every session and start a fresh one here.

    The current password goes through the same per-account limit as the login form, so a stolen session
    cannot be used to guess it."""
    current, new, confirm = (str(form.get(k, "")) for k in ("current", "new", "confirm"))
    account = user.auth.user
    checked = password_login(session, account.name, current)
    if checked.user is None:
        error, status = ("login.too_many", 429) if checked.retry_after_s else ("account.wrong_password", 403)
        audit.record(session, user.name, user.role, "auth.password_change_failed", "user", user.name,
                     {"reason": "locked" if status == 429 else "password"})
        session.commit()  # the failure counts towards the account's lock
    elif len(new) < MIN_PASSWORD or len(new) > 1000:
        error, status = "users.short_password", 422
    elif new != confirm:
        error, status = "account.mismatch", 422
    elif new == current:
        error, status = "account.same_password", 422
    else:
        error, status = None, 303
    if error is not None:
        return render(request, "password.html", {"forced": account.must_change_password, "error": error},
                      user=user, status=status)
    set_password(session, account.name, new)  # ends every browser session of the account
    audit.record(session, user.name, user.role, "auth.password_change", "user", user.name)
    response = RedirectResponse("/ui/account?changed=1", status_code=303)
    fresh = get_user(session, account.name)
    assert fresh is not None
    start_session(request, response, fresh, session)
    session.commit()
    return response
