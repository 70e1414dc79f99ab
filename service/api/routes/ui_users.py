"""Account administration for admins: list users, add one with a role, disable one. Every change is audited.

A new user's initial password and first API token are shown once on the response page and never stored
in clear; disabling revokes the tokens and, because sessions re-check the user on every request, ends
the browser sessions at once.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from service import audit
from service.api.deps import SessionDep
from service.store.kinds import Role
from service.store.models import ApiToken
from service.store.repo_users import (
    UserExists,
    UserNotFound,
    create_user,
    disable_user,
    list_users,
    set_password,
)
from service.ui.web import CheckedForm, UiAdmin, UiUser, render

router = APIRouter(prefix="/ui/users", include_in_schema=False)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 12


def _page(request: Request, session: SessionDep, user: UiUser, *, status: int = 200,
          **context: object) -> HTMLResponse:
    active_tokens = dict(session.execute(select(ApiToken.user_id, func.count()).where(
        ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id)).all())
    return render(request, "users.html", {"users": list_users(session), "tokens": active_tokens,
                                          "roles": [r.value for r in Role], **context},
                  user=user, status=status)


@router.get("")
def users_page(request: Request, session: SessionDep, user: UiAdmin) -> HTMLResponse:
    """Everyone with an account, their role and whether it is active."""
    return _page(request, session, user, notice=request.query_params.get("disabled"))


@router.post("")
def add_user(request: Request, session: SessionDep, user: UiAdmin, form: CheckedForm) -> HTMLResponse:
    """Create a named user with a role, an initial password and a first API token (shown once)."""
    name, role = str(form.get("name", "")).strip(), str(form.get("role", ""))
    password = str(form.get("password", "")) or secrets.token_urlsafe(12)
    error = ("users.bad_name" if not NAME_RE.match(name) else
             "users.bad_role" if role not in {r.value for r in Role} else
             "users.short_password" if len(password) < MIN_PASSWORD else None)
    if error:
        return _page(request, session, user, status=422, error=error, form_name=name)
    try:
        created, token = create_user(session, name, role)
    except UserExists:
        return _page(request, session, user, status=409, error="users.exists", form_name=name)
    set_password(session, name, password)
    audit.record(session, user.name, user.role, "user.create", "user", created.name, {"role": role})
    session.commit()
    return _page(request, session, user, status=201, created={"name": created.name, "password": password,
                                                              "token": token})


@router.post("/{name}/disable")
def disable(name: str, request: Request, session: SessionDep, user: UiAdmin, _form: CheckedForm) -> Response:
    """Disable a user: tokens revoked, sessions ended (an admin cannot lock themselves out)."""
    if name == user.name:
        return _page(request, session, user, status=409, error="users.not_self")
    try:
        revoked = disable_user(session, name)
    except UserNotFound:
        return _page(request, session, user, status=404, error="error.404")
    audit.record(session, user.name, user.role, "user.disable", "user", name, {"tokens_revoked": revoked})
    session.commit()
    return RedirectResponse(f"/ui/users?{urlencode({'disabled': name})}", status_code=303)
