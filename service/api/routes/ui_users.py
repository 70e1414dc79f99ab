"""Account administration for admins: list users, add one with a role, disable one. Every change is audited.

An admin never holds a working credential of somebody else (review #7): a new user gets a generated
one-time password, shown once, that opens only the page where they replace it, and no API token (they make
their own on their account page). Separation of duties: an admin cannot create a privacy officer, the role
that reaches the subject index and erasure; that account is made on the command line by whoever operates
the deployment (``puheturva users add --role privacy_officer``). Disabling revokes the tokens and ends the
browser sessions at once.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep
from service.privacy import audit
from service.store.kinds import Role
from service.store.repo_users import (
    UserExists,
    UserNotFound,
    active_token_counts,
    create_user,
    disable_user,
    list_users,
    set_password,
)
from service.ui.web import CheckedForm, UiAdmin, UiUser, render

router = APIRouter(prefix="/ui/users", include_in_schema=False)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
# Roles an admin may hand out here; privacy officers are made on the command line (separation of duties).
ADMIN_GRANTABLE = tuple(r.value for r in Role if r is not Role.PRIVACY_OFFICER)


def _page(request: Request, session: SessionDep, user: UiUser, *, status: int = 200,
          **context: object) -> HTMLResponse:
    active_tokens = active_token_counts(session)
    return render(request, "users.html", {"users": list_users(session), "tokens": active_tokens,
                                          "roles": list(ADMIN_GRANTABLE), **context},
                  user=user, status=status)


@router.get("")
def users_page(request: Request, session: SessionDep, user: UiAdmin) -> HTMLResponse:
    """Everyone with an account, their role and whether it is active."""
    return _page(request, session, user, notice=request.query_params.get("disabled"))


@router.post("")
def add_user(request: Request, session: SessionDep, user: UiAdmin, form: CheckedForm) -> HTMLResponse:
    """Create a named user with a role and a one-time password (shown once, changed at first login)."""
    name, role = str(form.get("name", "")).strip(), str(form.get("role", ""))
    if role == Role.PRIVACY_OFFICER.value:
        audit.record(session, user.name, user.role, "user.create_refused", "user", None, {"role": role})
        session.commit()
        return _page(request, session, user, status=403, error="users.no_privacy_officer", form_name=name)
    error = ("users.bad_name" if not NAME_RE.match(name) else
             "users.bad_role" if role not in ADMIN_GRANTABLE else None)
    if error:
        return _page(request, session, user, status=422, error=error, form_name=name)
    try:
        created, _no_token = create_user(session, name, role, with_token=False)
    except UserExists:
        return _page(request, session, user, status=409, error="users.exists", form_name=name)
    temporary = secrets.token_urlsafe(12)
    set_password(session, name, temporary, must_change=True)
    audit.record(session, user.name, user.role, "user.create", "user", created.name, {"role": role})
    session.commit()
    return _page(request, session, user, status=201, created={"name": created.name, "password": temporary})


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
