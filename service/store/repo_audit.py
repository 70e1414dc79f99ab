"""The audit log's rows: the reads and deletions the keyed chain in ``service.privacy.audit`` is built from.

Only storage lives here (which rows, in which order, under which lock); what a row means, how it is hashed
and when the chain is broken is decided by the audit module.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from service.store.models import AuditEntry

_AUDIT_LOCK_ID = 0x6175_6469  # "audi"


def lock_chain(session: Session) -> None:
    """Serialise appends until the transaction ends. PostgreSQL: a transaction-scoped advisory lock; SQLite
    needs none (its transactions start with ``BEGIN IMMEDIATE``, see ``db.py``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_ID})


def head_entry(session: Session) -> AuditEntry | None:
    """The newest row (highest ``seq``), or None for an empty log."""
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


def first_entry(session: Session) -> AuditEntry | None:
    """The oldest row still kept (lowest ``seq``), or None for an empty log."""
    return session.scalars(select(AuditEntry).order_by(AuditEntry.seq).limit(1)).first()


def stream_entries(session: Session) -> Iterator[AuditEntry]:
    """Every row in ``seq`` order, fetched in batches: a long log is walked without loading it whole."""
    return iter(session.scalars(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)))


def all_entries(session: Session) -> list[AuditEntry]:
    """Every row in ``seq`` order, loaded at once (for rewriting them)."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def newest_entries(session: Session, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` rows, newest first."""
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)))


def details_of_action(session: Session, action: str) -> list[dict[str, Any]]:
    """The ``detail`` of every row recording ``action``."""
    return list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)))


def last_entry_before(session: Session, before: datetime, *, below_seq: int) -> AuditEntry | None:
    """The newest row written before ``before`` whose ``seq`` is below ``below_seq``, or None."""
    return session.scalars(select(AuditEntry).where(AuditEntry.at < before, AuditEntry.seq < below_seq)
                           .order_by(AuditEntry.seq.desc()).limit(1)).first()


def count_through(session: Session, seq: int) -> int:
    """How many rows have ``seq`` up to and including ``seq``."""
    return int(session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.seq <= seq)) or 0)


def delete_through(session: Session, seq: int) -> None:
    """Delete the rows up to and including ``seq``. Caller commits."""
    session.execute(delete(AuditEntry).where(AuditEntry.seq <= seq))
