"""Dependencies shared by the routes: the worker context, a DB session (both from ``service.auth.deps``), the
authenticated person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from service.api.errors import ApiError
from service.auth.browser import (
    CSRF_HEADER,
    SAFE_METHODS,
    CsrfRefused,
    bearer_token,
    check_csrf,
    session_user,
)
from service.auth.deps import CtxDep, SessionDep, get_ctx, get_session
from service.store.repo_users import user_for_token

__all__ = ["CtxDep", "CurrentUser", "Principal", "SessionDep", "current_user", "get_ctx", "get_session",
           "require_roles"]


@dataclass(frozen=True)
class Principal:
    """A named person (never a shared account) and the role the route checks."""

    name: str
    role: str


def current_user(request: Request, session: SessionDep) -> Principal:
    """A personal bearer token (scripts) or a browser session cookie (the UI; CSRF-checked unless GET)."""
    token = bearer_token(request)
    if token is None:
        auth = session_user(request, session)
        if auth is None:
            raise ApiError(401, "unauthorized", "a personal bearer token or a login session is required",
                           {"WWW-Authenticate": "Bearer"})
        if auth.user.must_change_password:
            raise ApiError(403, "password_change_required",
                           "this account has a temporary password: change it at /ui/account/password first")
        if request.method not in SAFE_METHODS:
            try:
                check_csrf(request, auth, request.headers.get(CSRF_HEADER))
            except CsrfRefused:
                raise ApiError(403, "csrf", "missing or invalid CSRF token") from None
        return Principal(name=auth.user.name, role=auth.user.role)
    if not token:
        raise ApiError(401, "unauthorized", "a personal bearer token is required",
                       {"WWW-Authenticate": "Bearer"})
    user = user_for_token(session, token)
    if user is None:
        raise ApiError(401, "unauthorized", "unknown, revoked or disabled token",
                       {"WWW-Authenticate": "Bearer"})
    return Principal(name=user.name, role=user.role)


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency that admits only the given roles (403 otherwise)."""

    def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise ApiError(403, "forbidden", "your role may not do this")
        return user

    return check
