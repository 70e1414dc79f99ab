"""What every UI route shares: the template environment, the logged-in person, role checks, CSRF on forms.

UI pages authenticate with the browser session only (scripts use ``/v1`` with bearer tokens). An anonymous
visitor is redirected to the login page; a logged-in person without the role gets a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from redaction.entities import label as placeholder_label
from service.auth.browser import Authenticated, CsrfRefused, check_csrf, csrf_token, session_user
from service.auth.deps import SessionDep
from service.store.kinds import Role, may_read_restricted
from service.ui import formatting, vocabulary
from service.ui.i18n import LANG_COOKIE, LANGS, pick_language, translator

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["clock"] = formatting.clock
templates.env.globals["tag"] = placeholder_label  # HETU, PUHELIN, HENKILÖ: the words the transcript shows

READERS = (Role.QA_REVIEWER.value, Role.PRIVACY_OFFICER.value, Role.ADMIN.value)
PRIVACY_ROLES = (Role.PRIVACY_OFFICER.value,)  # the subject index and erasure: not QA, not user admins
ADMIN_ROLES = (Role.ADMIN.value,)


class LoginRequired(Exception):
    """No valid browser session: the handler redirects to the login page."""


class PasswordChangeRequired(Exception):
    """The account still has a temporary password someone else chose: only the change page opens."""


# What a temporary password still opens: the page that replaces it, and logging out.
PASSWORD_CHANGE_PATHS = frozenset({"/ui/account/password", "/ui/logout"})


class UiError(Exception):
    """An error page: HTTP status and the i18n key of its message."""

    def __init__(self, status: int, key: str, user: UiUser | None = None) -> None:
        super().__init__(key)
        self.status, self.key, self.user = status, key, user


@dataclass(frozen=True)
class UiUser:
    """The logged-in person as pages need them: name, role, their session and its CSRF token."""

    name: str
    role: str
    auth: Authenticated
    csrf: str

    @property
    def may_see_restricted(self) -> bool:
        return may_read_restricted(self.role)


def ui_user(request: Request, session: SessionDep) -> UiUser:
    auth = session_user(request, session)
    if auth is None:
        raise LoginRequired()
    if auth.user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    user = UiUser(name=auth.user.name, role=auth.user.role, auth=auth, csrf=csrf_token(request, auth))
    request.state.ui_user = user  # marks the request as a page's: its domain errors get the error page
    return user


def page_user(request: Request) -> UiUser | None:
    """The logged-in person of a UI page request; None for any other request (the API's, the login page's)."""
    return getattr(request.state, "ui_user", None)


UiUserDep = Annotated[UiUser, Depends(ui_user)]


def require_ui_roles(*roles: str) -> Callable[[UiUser], UiUser]:
    """A dependency admitting only ``roles`` (others get a 403 page)."""

    def check(user: UiUserDep) -> UiUser:
        if user.role not in roles:
            raise UiError(403, "error.403", user)
        return user

    return check


UiReader = Annotated[UiUser, Depends(require_ui_roles(*READERS))]
UiPrivacyOfficer = Annotated[UiUser, Depends(require_ui_roles(*PRIVACY_ROLES))]
UiAdmin = Annotated[UiUser, Depends(require_ui_roles(*ADMIN_ROLES))]


async def checked_form(request: Request, user: UiUserDep) -> FormData:
    """The posted form, after its ``csrf`` field was checked against the session."""
    form = await request.form()
    submitted = form.get("csrf")
    try:
        check_csrf(request, user.auth, submitted if isinstance(submitted, str) else None)
    except CsrfRefused:
        raise UiError(403, "error.csrf", user) from None
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           user: UiUser | None = None, status: int = 200) -> HTMLResponse:
    """A page in the visitor's language, with the frame's data (user, CSRF token, language switch)."""
    lang = pick_language(request)
    t = translator(lang)
    other = LANGS[1 - LANGS.index(lang)]
    ctx: dict[str, Any] = {
        "t": t, "lang": lang, "user": user, "csrf": user.csrf if user else None,
        "label": partial(vocabulary.label, lang), "chip": partial(vocabulary.chip, lang),
        "dt": partial(formatting.local_datetime, lang=lang),
        "day": partial(formatting.local_date, lang=lang),
        "lang_url": _with_lang(request, other),
        "demo": bool(getattr(request.app.state.ctx.settings, "demo", False)),
        "PRIVACY_ROLES": PRIVACY_ROLES, "ADMIN_ROLES": ADMIN_ROLES,
    }
    response = templates.TemplateResponse(request, template, ctx | (context or {}), status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response


def _with_lang(request: Request, lang: str) -> str:
    """This page's own path and query with ``lang`` switched: the language link keeps filters and page."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"


def local_path(target: str | None, default: str = "/ui/calls") -> str:
    """``target`` if it is a path of this UI (no open redirect to another site), else ``default``."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
