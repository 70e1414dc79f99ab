"""Server-side browser sessions: a login is a row, so ending it (logout, password change, disable) is real.

A signed cookie alone cannot be taken back: a copy made before logout kept working for 12 hours (review
#6). The cookie still carries a random session id, but it only opens the UI while its row here is open,
belongs to the same user and was used within the idle timeout. Only the id's sha256 is stored, so a
database dump holds no usable session (the cookie signature key is needed too).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.models import BrowserSession

IDLE_TIMEOUT = timedelta(minutes=30)  # a forgotten browser on a shared PC stops working after this
# Refresh ``last_seen_at`` at most this often: a write per page view would serialise every reader on SQLite.
TOUCH_EVERY = timedelta(seconds=60)
KEEP_ENDED = timedelta(days=1)  # ended rows are only needed while their cookies could still be replayed


def session_key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(session: Session, user_id: int, sid: str, now: datetime | None = None) -> None:
    """Record a new login (caller commits). Old ended or idle rows are pruned on the way."""
    now = now or utcnow()
    session.execute(delete(BrowserSession).where(BrowserSession.last_seen_at < now - KEEP_ENDED))
    session.add(BrowserSession(id=session_key(sid), user_id=user_id, created_at=now, last_seen_at=now))
    session.flush()


def live_session(session: Session, user_id: int, sid: str, *, idle: timedelta = IDLE_TIMEOUT,
                 now: datetime | None = None) -> bool:
    """True when ``sid`` is an open login of ``user_id`` used within ``idle``; marks it used."""
    now = now or utcnow()
    row = session.get(BrowserSession, session_key(sid))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    if row.last_seen_at <= now - idle:
        row.ended_at = now
        return False
    if row.last_seen_at <= now - TOUCH_EVERY:
        row.last_seen_at = now
    return True


def end_session(session: Session, sid: str, now: datetime | None = None) -> None:
    """Logout: this one login stops working (caller commits)."""
    session.execute(update(BrowserSession).where(BrowserSession.id == session_key(sid),
                                                 BrowserSession.ended_at.is_(None))
                    .values(ended_at=now or utcnow()))


def end_user_sessions(session: Session, user_id: int, *, keep_sid: str | None = None,
                      now: datetime | None = None) -> int:
    """End every open login of a user (password or role change, disable), except ``keep_sid`` if given."""
    query = update(BrowserSession).where(BrowserSession.user_id == user_id, BrowserSession.ended_at.is_(None))
    if keep_sid is not None:
        query = query.where(BrowserSession.id != session_key(keep_sid))
    res = session.execute(query.values(ended_at=now or utcnow()))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]
