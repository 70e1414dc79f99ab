"""Named users with roles and personal API tokens (the privacy notice promises personal credentials).

Tokens are shown once and stored only as sha256: a leaked database does not leak working credentials.
A 256-bit random token needs no slow hash; passwords (optional, for the browser UI) get argon2.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.kinds import Role
from service.store.models import ApiToken, User

TOKEN_PREFIX = "pt_"
_hasher = PasswordHasher()


class UserExists(ValueError):
    pass


class UserNotFound(LookupError):
    pass


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session, name: str, role: Role | str, now: datetime | None = None,
) -> tuple[User, str]:
    """Create a user and a first API token; returns ``(user, token)``: show the token once.
    Caller commits."""
    user = User(name=name, role=Role(role).value, disabled=False, created_at=now or utcnow())
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise UserExists("a user with that name exists") from None
    return user, issue_token(session, user, now)


def issue_token(session: Session, user: User, now: datetime | None = None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=token_sha256(token), created_at=now or utcnow()))
    session.flush()
    return token


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
    res = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now or utcnow()))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user owning ``token`` (not revoked, user not disabled), updating ``last_used_at``."""
    row = session.execute(
        select(ApiToken, User).join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == token_sha256(token), ApiToken.revoked_at.is_(None),
               User.disabled.is_(False))
    ).first()
    if row is None:
        return None
    tok, user = row
    tok.last_used_at = now or utcnow()
    return user


def set_password(session: Session, name: str, password: str) -> None:
    user = get_user(session, name)
    if user is None:
        raise UserNotFound("no such user")
    user.password_hash = _hasher.hash(password)


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
