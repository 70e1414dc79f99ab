"""Append-only audit log, chained with a key the database does not hold and anchored outside the database.

Each row's hash is ``HMAC-SHA256(audit key, prev_hash + canonical JSON of the row)``; the first row chains to 64
zeros. An edited row no longer matches its hash, a deleted row leaves a gap in ``seq`` and a broken link, and
swapped rows break both. Because the chain is keyed (``PUHETURVA_AUDIT_KEY``, or ``<data_dir>/keys/audit.key``
outside production), someone who can write the database but lacks the key — a DBA, a restored backup, a copied
file — cannot delete or alter rows and re-chain them (review #8): only the key holder can compute a valid hash.

The newest rows could still be cut off, leaving a shorter valid chain. So after every commit that appended
entries the new head ``(seq, hash)`` is appended to an anchor file next to the key (``keys/audit-anchors.log``,
0600), tagged with the database it belongs to; ``verify`` requires the highest anchored row to be present
with that hash. Ship the file (or ``puheturva audit verify``'s output) to an append-only sink for more.

Rows written before the key existed were chained with plain sha256. ``verify`` refuses them with a pointer to
``puheturva audit rekey``, which checks the old chain end to end and re-chains it with the key, once: it refuses
a database that already has anchors (a keyed chain re-written without the key must not be laundered).

Rows past their retention are removed by ``prune``, which first appends a keyed checkpoint entry
(``audit.prune``: the last removed seq and its hash). ``verify`` then starts at the first kept row and accepts
the missing prefix only when a verified checkpoint names exactly that row's predecessor: without the key,
nobody can cut rows off the front either.

Appends are serialised: PostgreSQL takes a transaction-scoped advisory lock; SQLite transactions already
start with ``BEGIN IMMEDIATE``. As a last line of defence ``seq`` is the primary key and ``prev_hash`` is
unique, so two writers can never fork the chain. Details must be PII-free: ids, kinds, counts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.private_files import private_dir
from service.store import repo_audit
from service.store.models import AuditEntry

log = logging.getLogger(__name__)
GENESIS_HASH = "0" * 64
ANCHOR_FILE = "keys/audit-anchors.log"
_PENDING_ANCHOR = "puheturva.audit.pending_anchor"
PRUNE_ACTION = "audit.prune"


class AuditChainBroken(Exception):
    """The chain cannot be re-keyed: a row does not fit, or the database was keyed before."""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None  # first row where the chain fails
    problem: str | None = None
    anchored_seq: int | None = None  # the newest head recorded outside the database, if any


def _canonical(seq: int, at: datetime, actor: str, role: str, action: str, object_type: str,
               object_id: str | None, detail: dict[str, Any]) -> bytes:
    row = {"seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"), "actor": actor,
           "role": role, "action": action, "object_type": object_type, "object_id": object_id,
           "detail": detail}
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _body(entry: AuditEntry) -> bytes:
    return _canonical(entry.seq, entry.at, entry.actor, entry.role, entry.action, entry.object_type,
                      entry.object_id, entry.detail)


def entry_mac(key: bytes, prev_hash: str, entry: AuditEntry) -> str:
    """The keyed hash of a row: what ``record`` stores and ``verify`` recomputes."""
    return hmac.new(key, prev_hash.encode() + _body(entry), hashlib.sha256).hexdigest()


def legacy_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The unkeyed sha256 of rows from before the audit key (anyone can compute it: ``rekey`` replaces it)."""
    return hashlib.sha256(prev_hash.encode() + _body(entry)).hexdigest()


def _key() -> bytes:
    from service.platform.config import get_settings

    return get_settings().audit_key_bytes()


def record(
    session: Session, actor: str, role: str, action: str, object_type: str, object_id: str | None = None,
    detail: dict[str, Any] | None = None, *, now: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it becomes durable with the action it records)."""
    key = _key()  # first: without a key nothing may be recorded (production refuses to start without one)
    repo_audit.lock_chain(session)
    last = repo_audit.head_entry(session)
    # Round-trip detail through JSON now so the hash covers exactly what the database will return.
    detail = json.loads(json.dumps(detail or {}, sort_keys=True))
    at = (now or utcnow()).astimezone(UTC)
    entry = AuditEntry(seq=(last.seq + 1) if last else 1, at=at, actor=actor, role=role, action=action,
                       object_type=object_type, object_id=object_id, detail=detail,
                       prev_hash=last.hash if last else GENESIS_HASH, hash="")
    entry.hash = entry_mac(key, entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    _anchor_after_commit(session, key, entry.seq, entry.hash)
    return entry


def verify(session: Session) -> VerifyResult:
    """Walk the chain from the first kept row, then hold its head against the anchor; report the first misfit."""
    key = _key()
    anchored = _anchored_head(session, key)
    anchored_seq = anchored[0] if anchored else None
    first = repo_audit.first_entry(session)
    expected_prev, expected_seq = (first.prev_hash, first.seq) if first else (GENESIS_HASH, 1)
    if first is not None and first.seq != 1 and (first.seq - 1, first.prev_hash) not in _checkpoints(session):
        return VerifyResult(False, 0, first.seq - 1, first.prev_hash, first.seq,
                            f"rows before seq {first.seq} are missing and no keyed prune checkpoint names them: "
                            "the oldest rows were removed", anchored_seq)
    # A checkpoint row excuses the missing prefix only because the walk below checks its keyed hash too.
    count, at_anchor = 0, None
    for e in repo_audit.stream_entries(session):
        problem = _misfit(key, e, expected_seq, expected_prev)
        if problem:
            return VerifyResult(False, count, expected_seq - 1, expected_prev, e.seq, problem, anchored_seq)
        if e.seq == anchored_seq:
            at_anchor = e.hash
        expected_prev, expected_seq, count = e.hash, e.seq + 1, count + 1
    if anchored is not None and not (at_anchor and hmac.compare_digest(at_anchor, anchored[1])):
        held = "lacks" if at_anchor is None else "holds with another hash"
        return VerifyResult(False, count, expected_seq - 1, expected_prev, anchored[0],
                            f"the anchor outside the database names seq {anchored[0]}, which the chain {held}: "
                            "the newest rows were removed or replaced", anchored_seq)
    return VerifyResult(True, count, expected_seq - 1, expected_prev, anchored_seq=anchored_seq)


def _checkpoints(session: Session) -> set[tuple[int | None, str | None]]:
    """``(through_seq, through_hash)`` of every prune checkpoint row (their hashes are checked by the walk)."""
    details = repo_audit.details_of_action(session, PRUNE_ACTION)
    return {(d.get("through_seq"), d.get("through_hash")) for d in details}


def prune(session: Session, before: datetime, *, actor: str, role: str, now: datetime | None = None) -> int:
    """Delete the rows written before ``before`` (retention), leaving a keyed checkpoint; returns rows deleted.

    The newest row always stays, so the chain never becomes empty and the checkpoint has a predecessor.
    The caller commits; the checkpoint and the deletion become durable together.
    """
    head = repo_audit.head_entry(session)
    last_due = repo_audit.last_entry_before(session, before, below_seq=head.seq if head else 0)
    if last_due is None:
        return 0
    through_seq, through_hash = last_due.seq, last_due.hash
    n = repo_audit.count_through(session, through_seq)
    record(session, actor, role, PRUNE_ACTION, "audit_log", None,
           {"through_seq": through_seq, "through_hash": through_hash, "rows": int(n)}, now=now)
    repo_audit.delete_through(session, through_seq)
    session.flush()
    return int(n)


def _misfit(key: bytes, e: AuditEntry, expected_seq: int, expected_prev: str) -> str | None:
    if e.seq != expected_seq:
        return f"expected seq {expected_seq}: a row was deleted or renumbered"
    if e.prev_hash != expected_prev:
        return "prev_hash does not match the previous row: rows deleted or reordered"
    if hmac.compare_digest(entry_mac(key, e.prev_hash, e), e.hash):
        return None
    if legacy_hash(e.prev_hash, e) == e.hash:
        return ("the row is chained with unkeyed sha256: from before the audit key (run `puheturva audit rekey` "
                "once) or rewritten by someone without the key")
    return "hash does not match the row: the row was edited, or chained without the audit key"


def rekey(session: Session) -> int:
    """Re-chain rows from before the audit key with it, after checking the old chain; returns rows rewritten.

    The caller commits. Refuses (``AuditChainBroken``) a chain that does not verify as written, and a database
    that already has anchors: its chain was keyed, so unkeyed rows in it were written by someone without the key.
    """
    key = _key()
    if _anchored_head(session, key) is not None:
        raise AuditChainBroken("this database's chain was keyed before (it has anchors): refusing to re-key it")
    rows = repo_audit.all_entries(session)
    prev, keyed_seen = GENESIS_HASH, False
    for expected_seq, e in enumerate(rows, 1):
        keyed = hmac.compare_digest(entry_mac(key, e.prev_hash, e), e.hash)
        legacy = not keyed_seen and legacy_hash(e.prev_hash, e) == e.hash
        if e.seq != expected_seq or e.prev_hash != prev or not (keyed or legacy):
            raise AuditChainBroken(f"seq {e.seq} does not fit the chain as written: not re-keying")
        keyed_seen, prev = keyed_seen or keyed, e.hash
    prev = GENESIS_HASH
    for e in rows:
        e.prev_hash = prev
        e.hash = prev = entry_mac(key, prev, e)
        session.flush()  # one row at a time: prev_hash and hash are unique
    if rows:
        _anchor_after_commit(session, key, rows[-1].seq, rows[-1].hash)
    return len(rows)


def recent(session: Session, limit: int = 50) -> list[AuditEntry]:
    return repo_audit.newest_entries(session, limit)


def _database_tag(session: Session, key: bytes) -> str:
    """Which database an anchor line belongs to: a keyed digest of its URL (no password, nothing readable)."""
    bind = session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    url = engine.url.render_as_string(hide_password=True)
    return hmac.new(key, b"puheturva/audit-anchor/v1:" + url.encode(), hashlib.sha256).hexdigest()[:24]


def _anchor_path() -> Path:
    from service.platform.config import get_settings

    return get_settings().data_dir / ANCHOR_FILE


def _anchor_after_commit(session: Session, key: bytes, seq: int, digest: str) -> None:
    """Remember the new head; ``_write_anchor`` appends it once the transaction is durable."""
    pending = session.info.get(_PENDING_ANCHOR)
    if pending is None or seq > pending[1]:
        session.info[_PENDING_ANCHOR] = (_database_tag(session, key), seq, digest)


@event.listens_for(Session, "after_commit")
def _write_anchor(session: Session) -> None:
    pending = session.info.pop(_PENDING_ANCHOR, None)
    if pending is None:
        return
    path = _anchor_path()
    try:
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="ascii") as f:
            f.write("{} {} {}\n".format(*pending))
    except OSError as exc:  # the entry is committed; a missing anchor only weakens the tail check
        log.error("audit anchor not written (%s): the tail check lags until the next entry", type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _drop_anchor(session: Session) -> None:
    session.info.pop(_PENDING_ANCHOR, None)


def _anchored_head(session: Session, key: bytes) -> tuple[int, str] | None:
    """The highest ``(seq, hash)`` anchored for this database, or None."""
    tag, best = _database_tag(session, key), None
    try:
        lines = _anchor_path().read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[0] == tag and parts[1].isdigit() and (best is None or int(parts[1]) > best[0]):
            best = (int(parts[1]), parts[2])
    return best
