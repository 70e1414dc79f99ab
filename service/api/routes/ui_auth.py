"""Logging in and out of the web UI with a personal password (argon2), CSRF-protected on both sides.

Two guessing limits: the in-memory one per (address, name) answers a single noisy client cheaply; the
per-account one in the database (``repo_users.password_login``) holds across addresses, processes and
restarts. Every failed login is audited with the account's id when the name matched one, never the typed
name (it may be a password typed into the wrong field).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep
from service.auth.browser import (
    CsrfRefused,
    check_csrf,
    clear_session,
    login_csrf,
    session_user,
    set_login_nonce,
    start_session,
)
from service.auth.login_limit import LoginLimiter
from service.privacy import audit
from service.store.repo_users import password_login
from service.ui.web import CheckedForm, UiUserDep, local_path, render

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ui", include_in_schema=False)


def _login_page(request: Request, *, error: str | None = None, status: int = 200, name: str = "",
                next_path: str | None = None) -> HTMLResponse:
    token, fresh = login_csrf(request)
    target = local_path(next_path or request.query_params.get("next"))
    response = render(request, "login.html", {"login_csrf": token, "error": error, "name": name,
                                              "next": target, "bye": "bye" in request.query_params},
                      status=status)
    if fresh is not None:
        set_login_nonce(request, response, fresh)
    return response


def _limiter(request: Request) -> LoginLimiter:
    """The app's failed-login counter (one per app, made on first use)."""
    state = request.app.state
    if getattr(state, "login_limiter", None) is None:
        state.login_limiter = LoginLimiter()
    limiter: LoginLimiter = state.login_limiter
    return limiter


@router.get("/login")
def login_form(request: Request, session: SessionDep) -> Response:
    """The login page (a logged-in visitor goes straight to the call list)."""
    if session_user(request, session) is not None:
        return RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@router.post("/login")
def login(request: Request, session: SessionDep, name: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=1000)], csrf: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Check the password; on success a fresh session cookie and a 303 to where the user was going."""
    try:
        check_csrf(request, None, csrf)
    except CsrfRefused:
        return _login_page(request, error="login.expired", status=400, name=name, next_path=next)
    limiter, address = _limiter(request), request.client.host if request.client else "unknown"
    wait = limiter.retry_after(address, name)
    if wait is not None:
        log.warning("UI login throttled for a client address")  # neither the address nor the name
        response = _login_page(request, error="login.too_many", status=429, name=name, next_path=next)
        response.headers["Retry-After"] = str(wait)
        return response
    result = password_login(session, name.strip(), password)
    user = result.user
    if user is None:
        limiter.failed(address, name)
        reason = "locked" if result.retry_after_s is not None else "password"
        audit.record(session, "anonymous", "anonymous", "auth.login_failed", "user",
                     str(result.account_id) if result.account_id is not None else None, {"reason": reason})
        session.commit()
        log.info("failed UI login (%s)", reason)  # no name: it may be a password typed into the wrong field
        if result.retry_after_s is not None:
            page = _login_page(request, error="login.too_many", status=429, name=name, next_path=next)
            page.headers["Retry-After"] = str(result.retry_after_s)
            return page
        return _login_page(request, error="login.failed", status=401, name=name, next_path=next)
    limiter.succeeded(address, name)
    audit.record(session, user.name, user.role, "auth.login", "user", user.name, {"via": "password"})
    target = "/ui/account/password" if user.must_change_password else local_path(next)
    redirect = RedirectResponse(target, status_code=303)
    start_session(request, redirect, user, session)
    session.commit()
    return redirect


@router.post("/logout")
def logout(request: Request, session: SessionDep, user: UiUserDep, _form: CheckedForm) -> Response:
    """End the browser session server-side (a copy of the cookie stops working too; bearer tokens are
    unaffected)."""
    audit.record(session, user.name, user.role, "auth.logout", "user", user.name)
    response = RedirectResponse("/ui/login?bye=1", status_code=303)
    clear_session(request, response, user.auth, session)
    session.commit()
    return response
