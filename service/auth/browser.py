"""Who is asking: a personal bearer token (scripts) or a browser session cookie (people), per request.

The user row and the server-side session row are read on every request, so logging out, disabling a user,
revoking a token or changing a password takes effect on the very next request, also for a copy of the
cookie, not when a cookie happens to expire. In production (Secure cookies) the session cookie is named
``__Host-…``: the browser then refuses it unless it is Secure, host-only and ``Path=/``, so a sibling
subdomain or a plain-http page cannot plant or overwrite it. State-changing requests made with a
cookie must carry the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``); bearer
requests need none, because a browser never attaches a bearer token on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from service.auth.sessions import (
    LOGIN_NONCE_MAX_AGE_S,
    BrowserSession,
    SessionCodec,
    derive_key,
    new_sid,
    user_version,
)
from service.store.models import User
from service.store.repo_sessions import end_session, live_session, open_session
from service.store.repo_users import user_for_token

SESSION_COOKIE = "puheturva_session"
HOST_SESSION_COOKIE = "__Host-" + SESSION_COOKIE  # the name whenever the cookie is Secure
LOGIN_COOKIE = "puheturva_login"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """A state-changing browser request without a valid CSRF token (a forged cross-site request)."""


@dataclass(frozen=True)
class Authenticated:
    """An active user and how they proved it; ``session`` only for cookie logins."""

    user: User
    via: Literal["token", "session"]
    session: BrowserSession | None = None


def codec(request: Request) -> SessionCodec:
    """The app's codec, built once from the settings of the app's worker context."""
    state = request.app.state
    found = getattr(state, "session_codec", None)
    if found is None:
        found = state.session_codec = SessionCodec(derive_key(state.ctx.settings.encryption_key_bytes()))
    return found


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``""`` for any other Authorization header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def session_user(request: Request, db: Session) -> Authenticated | None:
    """The user of a valid session cookie: signature, age, user active, password unchanged and the
    server-side session open and not idle."""
    cookie = request.cookies.get(session_cookie_name(request))
    if not cookie:
        return None
    bs = codec(request).read(cookie)
    if bs is None:
        return None
    user = db.get(User, bs.user_id)
    if user is None or user.disabled or user_version(user.id, user.password_hash) != bs.version:
        return None
    if not live_session(db, user.id, bs.sid):
        return None
    return Authenticated(user=user, via="session", session=bs)


def authenticate(request: Request, db: Session) -> Authenticated | None:
    """Bearer token if the request has an Authorization header (never falls back to a cookie), else cookie."""
    token = bearer_token(request)
    if token is not None:
        user = user_for_token(db, token) if token else None
        return Authenticated(user=user, via="token") if user is not None else None
    return session_user(request, db)


def _secure(request: Request) -> bool:
    """Secure cookies except in development over plain http (a laptop at 127.0.0.1)."""
    dev = request.app.state.ctx.settings.environment == "development"
    return not (dev and request.url.scheme == "http")


def session_cookie_name(request: Request) -> str:
    """``__Host-`` prefixed whenever the cookie is Secure (browsers accept that prefix only then)."""
    return HOST_SESSION_COOKIE if _secure(request) else SESSION_COOKIE


def start_session(request: Request, response: Response, user: User, db: Session) -> None:
    """Log ``user`` in on ``response``: a fresh session id (no fixation), recorded server-side (the caller
    commits), and the login nonce dropped."""
    sid = new_sid()
    open_session(db, user.id, sid)
    value = codec(request).issue(user.id, user.password_hash, sid)
    response.set_cookie(session_cookie_name(request), value, max_age=codec(request).max_age_s, httponly=True,
                        samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/ui")


def clear_session(request: Request, response: Response, auth: Authenticated | None = None,
                  db: Session | None = None) -> None:
    """Drop the cookie and, given the session and a DB session, end it server-side (caller commits), so a
    copy of the cookie stops working too."""
    if auth is not None and auth.session is not None and db is not None:
        end_session(db, auth.session.sid)
    response.delete_cookie(session_cookie_name(request), path="/", httponly=True, samesite="lax",
                           secure=_secure(request))


def csrf_token(request: Request, auth: Authenticated) -> str:
    """The token a logged-in page embeds in its forms and sends as ``X-CSRF-Token``."""
    if auth.session is None:
        raise ValueError("bearer requests need no CSRF token")
    return codec(request).csrf_for(auth.session.sid)


def login_csrf(request: Request) -> tuple[str, str | None]:
    """The login form's token and, when the browser has no valid nonce yet, the new nonce cookie value
    (set it with ``set_login_nonce``). There is no session yet, so the token is bound to that nonce."""
    c = codec(request)
    nonce = c.read_login_nonce(request.cookies.get(LOGIN_COOKIE, ""))
    fresh = None
    if nonce is None:
        fresh = c.new_login_nonce()
        nonce = c.read_login_nonce(fresh) or ""
    return c.csrf_for(nonce), fresh


def set_login_nonce(request: Request, response: Response, value: str) -> None:
    response.set_cookie(LOGIN_COOKIE, value, max_age=LOGIN_NONCE_MAX_AGE_S, httponly=True, samesite="strict",
                        secure=_secure(request), path="/ui")


def check_csrf(request: Request, auth: Authenticated | None, submitted: str | None) -> None:
    """Raise ``CsrfRefused`` unless ``submitted`` is the token of this session (or of this login form)."""
    c = codec(request)
    if auth is not None and auth.session is not None:
        binding: str | None = auth.session.sid
    else:
        binding = c.read_login_nonce(request.cookies.get(LOGIN_COOKIE, ""))
    if binding is None or not c.csrf_ok(binding, submitted):
        raise CsrfRefused("missing or invalid CSRF token")
