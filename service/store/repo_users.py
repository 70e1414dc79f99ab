"""Named users with roles and personal API tokens (the privacy notice promises personal credentials).

Tokens are shown once and stored only as sha256: a leaked database does not leak working credentials.
A 256-bit random token needs no slow hash; passwords (optional, for the browser UI) get argon2.
Tokens may expire and are revoked one by one by their owner. Failed password logins are counted per account
in the database, so a guesser spread over many addresses or processes meets the same back-off.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.kinds import Role
from service.store.models import ApiToken, User
from service.store.repo_sessions import end_user_sessions

TOKEN_PREFIX = "pt_"
MAX_FAILED_LOGINS = 5  # then the account waits, whichever address the next guess comes from
FIRST_LOCK = timedelta(minutes=1)  # doubled for every further failure ...
LONGEST_LOCK = timedelta(hours=1)  # ... up to this, so a guesser cannot lock a colleague out for a day
_hasher = PasswordHasher()


class UserExists(ValueError):
    pass


class UserNotFound(LookupError):
    pass


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session, name: str, role: Role | str, now: datetime | None = None, *, with_token: bool = True,
) -> tuple[User, str | None]:
    """Create a user and (unless ``with_token`` is False) a first API token; returns ``(user, token)``: show
    the token once. Caller commits."""
    user = User(name=name, role=Role(role).value, disabled=False, created_at=now or utcnow())
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UserExists("a user with that name exists") from None
    return user, issue_token(session, user, now) if with_token else None


def issue_token(session: Session, user: User, now: datetime | None = None, *, label: str | None = None,
                expires_at: datetime | None = None) -> str:
    """A new personal token for ``user`` (show it once: only its sha256 is kept)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=token_sha256(token), created_at=now or utcnow(),
                         label=label, expires_at=expires_at))
    session.flush()
    return token


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first, revoked ones included (the owner sees what was used when)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def active_token_counts(session: Session) -> dict[int, int]:
    """Unrevoked tokens per user id (users without one are absent), for the admin's user list."""
    rows = session.execute(select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
                           .group_by(ApiToken.user_id))
    return {user_id: int(n) for user_id, n in rows}


def revoke_token(session: Session, user_id: int, token_id: int, now: datetime | None = None) -> bool:
    """Revoke one token of ``user_id``; False when it is not theirs or already revoked."""
    res = session.execute(update(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id,
                                                 ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now or utcnow()))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def get_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def disable_user(session: Session, name: str, now: datetime | None = None) -> int:
    """Disable the user and revoke all their tokens; returns how many tokens were revoked."""
    user = get_user(session, name)
    if user is None:
        raise UserNotFound("no such user")
    user.disabled = True
    end_user_sessions(session, user.id, now=now)
    res = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now or utcnow()))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def set_role(session: Session, name: str, role: Role | str, now: datetime | None = None) -> str:
    """Give ``name`` another role and end their browser sessions (pages open under the new role only after a
    new login); returns the old role. Caller commits."""
    user = get_user(session, name)
    if user is None:
        raise UserNotFound("no such user")
    old, user.role = user.role, Role(role).value
    end_user_sessions(session, user.id, now=now)
    return old


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user owning ``token`` (not revoked or expired, user not disabled), updating
    ``last_used_at``."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken, User).join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == token_sha256(token), ApiToken.revoked_at.is_(None),
               or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now), User.disabled.is_(False))
    ).first()
    if row is None:
        return None
    tok, user = row
    tok.last_used_at = now
    return user


def set_password(session: Session, name: str, password: str, *, must_change: bool = False) -> None:
    """Set a password and end every browser session of the user. ``must_change``: a temporary password
    someone else chose, which only opens the page that replaces it."""
    user = get_user(session, name)
    if user is None:
        raise UserNotFound("no such user")
    user.password_hash = _hasher.hash(password)
    user.must_change_password = must_change
    user.failed_logins, user.locked_until = 0, None
    end_user_sessions(session, user.id)


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a password login: ``user`` on success, ``retry_after_s`` when the account waits,
    ``account_id`` of the named account (if any) for the audit log, which must not hold the typed name."""

    user: User | None
    retry_after_s: int | None = None
    account_id: int | None = None


def password_login(session: Session, name: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a login against the per-account limit, then the password; counts failures (caller commits)."""
    now = now or utcnow()
    user = get_user(session, name)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, max(1, int((user.locked_until - now).total_seconds()) + 1), user.id)
    found = authenticate_password(session, name, password)
    if found is not None:
        found.failed_logins, found.locked_until = 0, None
        return LoginResult(found, None, found.id)
    if user is not None:
        user.failed_logins += 1
        over = user.failed_logins - MAX_FAILED_LOGINS
        if over >= 0:
            user.locked_until = now + min(FIRST_LOCK * 2 ** min(over, 16), LONGEST_LOCK)
    return LoginResult(None, None, user.id if user is not None else None)


def authenticate_password(session: Session, name: str, password: str) -> User | None:
    """The active user if the password matches; None otherwise (same answer for unknown names)."""
    user = get_user(session, name)
    if user is None or user.disabled or user.password_hash is None:
        _hasher.hash(password)  # same cost either way: no user enumeration through timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user
