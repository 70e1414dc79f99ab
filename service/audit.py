"""Append-only, hash-chained audit log: who viewed, exported, deleted or changed what, and when.

Each row's hash is ``sha256(prev_hash + canonical JSON of the row)``; the first row chains to 64 zeros. An
edited row no longer matches its hash, a deleted row leaves a gap in ``seq`` and a broken link, and swapped
rows break both. (Removing the newest rows leaves a shorter valid chain: anchor ``head_hash`` elsewhere,
e.g. in the operations log, to detect that too.)

Appends are serialised: PostgreSQL takes a transaction-scoped advisory lock; SQLite transactions already
start with ``BEGIN IMMEDIATE``. As a last line of defence ``seq`` is the primary key and ``prev_hash`` is
unique, so two writers can never fork the chain. Details must be PII-free: ids, kinds, counts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.models import AuditEntry

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_ID = 0x6175_6469  # "audi"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None  # first row where the chain fails
    problem: str | None = None


def _canonical(seq: int, at: datetime, actor: str, role: str, action: str, object_type: str,
               object_id: str | None, detail: dict[str, Any]) -> bytes:
    row = {"seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"), "actor": actor,
           "role": role, "action": action, "object_type": object_type, "object_id": object_id,
           "detail": detail}
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    body = _canonical(entry.seq, entry.at, entry.actor, entry.role, entry.action, entry.object_type,
                      entry.object_id, entry.detail)
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()


def record(
    session: Session, actor: str, role: str, action: str, object_type: str, object_id: str | None = None,
    detail: dict[str, Any] | None = None, *, now: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it becomes durable with the action it records)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_ID})
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    # Round-trip detail through JSON now so the hash covers exactly what the database will return.
    detail = json.loads(json.dumps(detail or {}, sort_keys=True))
    at = (now or utcnow()).astimezone(UTC)
    entry = AuditEntry(seq=(last.seq + 1) if last else 1, at=at, actor=actor, role=role, action=action,
                       object_type=object_type, object_id=object_id, detail=detail,
                       prev_hash=last.hash if last else GENESIS_HASH, hash="")
    entry.hash = entry_hash(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the first row; report the first row that does not fit."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))
    for e in rows:
        problem = None
        if e.seq != expected_seq:
            problem = f"expected seq {expected_seq}: a row was deleted or renumbered"
        elif e.prev_hash != expected_prev:
            problem = "prev_hash does not match the previous row: rows deleted or reordered"
        elif entry_hash(e.prev_hash, e) != e.hash:
            problem = "hash does not match the row: the row was edited"
        if problem:
            return VerifyResult(False, count, expected_seq - 1, expected_prev, e.seq, problem)
        expected_prev, expected_seq, count = e.hash, e.seq + 1, count + 1
    return VerifyResult(True, count, expected_seq - 1, expected_prev)


def recent(session: Session, limit: int = 50) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)))
