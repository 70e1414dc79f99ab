"""Audit log: a valid chain verifies; an edited, deleted or reordered row is detected; appends serialise.

The chain is keyed (HMAC with ``PUHETURVA_AUDIT_KEY``, outside the database) and its head is anchored in a file
outside the database: rows deleted and re-chained with plain sha256 (review #8) and a cut tail both fail.
"""

from __future__ import annotations

import hashlib
import json
import stat
import threading
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from service.privacy import audit
from service.store.db import Database
from service.store.models import AuditEntry
from tests.service.conftest import NOW


@pytest.fixture(autouse=True)
def _fresh_keys(isolated_settings: Path) -> Iterator[Path]:
    """A data dir of this test's own: its audit key and head anchor."""
    yield isolated_settings


def _fill(session: Session, n: int = 5) -> None:
    for i in range(n):
        audit.record(session, "liisa", "qa_reviewer", "call.view", "call", f"id-{i}", {"n": i, "ok": True},
                     now=NOW)
    session.commit()


def test_valid_chain(session: Session) -> None:
    assert audit.verify(session).ok and audit.verify(session).count == 0
    _fill(session)
    res = audit.verify(session)
    assert (res.ok, res.count, res.head_seq) == (True, 5, 5)
    assert res.head_hash == audit.recent(session, 1)[0].hash


def test_edited_row_is_detected(session: Session) -> None:
    _fill(session)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="someone-else"))
    session.commit()
    res = audit.verify(session)
    assert (res.ok, res.bad_seq) == (False, 3) and "edited" in res.problem


def test_edited_detail_is_detected(session: Session) -> None:
    _fill(session)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(detail={"n": 99, "ok": True}))
    session.commit()
    assert audit.verify(session).bad_seq == 2


def test_deleted_row_is_detected(session: Session) -> None:
    _fill(session)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    session.commit()
    res = audit.verify(session)
    assert (res.ok, res.bad_seq, res.count) == (False, 3, 1)


def test_reordered_rows_are_detected(session: Session) -> None:
    _fill(session)
    # Swap rows 2 and 4 completely (contents, hashes and links), keeping seq numbers in place.
    rows = {e.seq: e for e in session.query(AuditEntry).all()}
    cols = ["actor", "role", "action", "object_type", "object_id", "detail", "at", "prev_hash", "hash"]
    two, four = ({c: getattr(rows[s], c) for c in cols} for s in (2, 4))
    for seq, vals in ((2, four), (4, two)):
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq)
                        .values(**{**vals, "prev_hash": f"tmp{seq}", "hash": f"tmph{seq}"}))
    for seq, vals in ((2, four), (4, two)):
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(**vals))
    session.commit()
    res = audit.verify(session)
    assert (res.ok, res.bad_seq) == (False, 2)


def test_concurrent_appends_keep_one_chain(db: Database) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        barrier.wait()
        try:
            for i in range(5):
                with db.session() as s:
                    audit.record(s, f"w{worker}", "system", "test.append", "test", str(i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        res = audit.verify(s)
    assert (res.ok, res.count) == (True, 20)


def _sha256_chain(rows: list[dict]) -> list[tuple[str, str]]:
    """What the review's ``audit_rewrite.py`` did: re-chain rows with the published, unkeyed scheme."""
    prev, out = "0" * 64, []
    for r in rows:
        body = json.dumps({"seq": r["seq"], "at": r["at"].astimezone(UTC).isoformat(timespec="microseconds"),
                           "actor": r["actor"], "role": r["role"], "action": r["action"],
                           "object_type": r["object_type"], "object_id": r["object_id"], "detail": r["detail"]},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        digest = hashlib.sha256(prev.encode() + body).hexdigest()
        out.append((prev, digest))
        prev = digest
    return out


def _rewrite(session: Session, rows: list[dict]) -> None:
    """Replace the whole table by ``rows`` renumbered 1.. and re-chained with plain sha256 (raw SQL)."""
    session.execute(text("DELETE FROM audit_log"))
    for i, r in enumerate(rows, 1):
        r["seq"] = i
    for r, (prev, digest) in zip(rows, _sha256_chain(rows), strict=True):
        session.add(AuditEntry(**r, prev_hash=prev, hash=digest))
    session.commit()


def _rows(session: Session) -> list[dict]:
    cols = ["seq", "at", "actor", "role", "action", "object_type", "object_id", "detail"]
    return [{c: getattr(e, c) for c in cols} for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_rows_deleted_and_rechained_without_the_key_are_detected(session: Session) -> None:
    """Review #8 reproduced: delete a person's entries, disguise another, renumber, re-chain with sha256."""
    for i in range(6):
        actor = "shadow-po" if i % 2 else "liisa"
        audit.record(session, actor, "privacy_officer", "call.view", "call", f"id-{i}", {"n": i}, now=NOW)
    audit.record(session, "admin", "admin", "user.create", "user", "shadow-po", now=NOW)
    session.commit()
    assert audit.verify(session).ok
    kept = [r for r in _rows(session) if r["actor"] != "shadow-po"]
    kept[-1].update(action="call.list", object_type="call", object_id=None)
    _rewrite(session, kept)
    res = audit.verify(session)
    assert not res.ok and res.bad_seq == 1, res
    with pytest.raises(audit.AuditChainBroken, match="anchors"):
        audit.rekey(session)  # the operator cannot be talked into laundering it


def test_a_cut_tail_is_detected_by_the_anchor(session: Session) -> None:
    _fill(session)
    session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    session.commit()
    res = audit.verify(session)
    assert not res.ok and "anchor" in res.problem and res.bad_seq == 5, res
    session.execute(delete(AuditEntry))
    session.commit()
    assert not audit.verify(session).ok, "an emptied table is a cut tail too"


def test_anchors_of_another_database_do_not_interfere(session: Session, tmp_path: Path) -> None:
    from service.store.db import open_database

    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with other.session() as s:
            for i in range(8):
                audit.record(s, "pekka", "admin", "call.view", "call", f"o-{i}")
        _fill(session, 3)
        assert audit.verify(session).ok
        with other.session() as s:
            assert audit.verify(s).ok
    finally:
        other.dispose()


def test_a_rolled_back_entry_leaves_no_anchor(session: Session) -> None:
    _fill(session, 2)
    audit.record(session, "liisa", "qa_reviewer", "call.view", "call", "gone")
    session.rollback()
    assert audit.verify(session).ok


def test_the_audit_key_is_a_private_file_outside_the_database(session: Session, _fresh_keys: Path) -> None:
    _fill(session, 1)
    key = _fresh_keys / "keys" / "audit.key"
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    from service.platform.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="PUHETURVA_AUDIT_KEY"):
        Settings(environment="production", encryption_key="A" * 44, index_key="B" * 44,
                 webhook_secret="whsec_" + "QUJD" * 10)


def test_an_unkeyed_chain_from_before_is_refused_until_rekeyed(session: Session) -> None:
    rows = [{"seq": 0, "at": NOW, "actor": "liisa", "role": "qa_reviewer", "action": "call.view",
             "object_type": "call", "object_id": f"id-{i}", "detail": {"n": i}} for i in range(3)]
    _rewrite(session, rows)  # what an existing deployment holds
    res = audit.verify(session)
    assert not res.ok and "audit rekey" in res.problem
    assert audit.rekey(session) == 3
    session.commit()
    audit.record(session, "liisa", "qa_reviewer", "call.view", "call", "id-3", now=NOW)
    session.commit()
    res = audit.verify(session)
    assert (res.ok, res.count) == (True, 4), res


def test_rekey_refuses_a_broken_unkeyed_chain(session: Session) -> None:
    rows = [{"seq": 0, "at": NOW, "actor": "liisa", "role": "qa_reviewer", "action": "call.view",
             "object_type": "call", "object_id": f"id-{i}", "detail": {"n": i}} for i in range(3)]
    _rewrite(session, rows)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor="mallory"))
    session.commit()
    with pytest.raises(audit.AuditChainBroken):
        audit.rekey(session)


def test_pruned_rows_leave_a_keyed_checkpoint_and_the_chain_still_verifies(session: Session) -> None:
    from datetime import timedelta

    for i in range(4):
        audit.record(session, "liisa", "qa_reviewer", "call.view", "call", f"old-{i}", {}, now=NOW - timedelta(days=9))
    _fill(session, 2)
    assert audit.prune(session, NOW - timedelta(days=1), actor="system", role="system", now=NOW) == 4
    session.commit()
    rows = _rows(session)
    assert rows[0]["seq"] == 5 and rows[-1]["action"] == audit.PRUNE_ACTION
    assert rows[-1]["detail"]["through_seq"] == 4
    assert audit.verify(session).ok
    assert audit.prune(session, NOW - timedelta(days=1), actor="system", role="system", now=NOW) == 0


def test_the_oldest_rows_cut_without_the_key_are_detected(session: Session) -> None:
    """Deleting the front of the chain is as visible as deleting the middle: only a keyed checkpoint excuses it,
    and a checkpoint forged without the key does not fit the chain."""
    _fill(session, 6)
    first_kept = session.get(AuditEntry, 4)
    session.execute(delete(AuditEntry).where(AuditEntry.seq <= 3))
    session.commit()
    res = audit.verify(session)
    assert (res.ok, res.bad_seq) == (False, 4) and "oldest rows were removed" in res.problem

    # The forger appends the checkpoint the verifier looks for, chained with the published unkeyed scheme.
    head = audit.recent(session, 1)[0]
    forged = {**_rows(session)[-1], "seq": head.seq + 1, "action": audit.PRUNE_ACTION, "object_type": "audit_log",
              "object_id": None, "detail": {"through_seq": 3, "through_hash": first_kept.prev_hash, "rows": 3}}
    digest = hashlib.sha256(head.hash.encode() + json.dumps(forged, default=str).encode()).hexdigest()
    session.add(AuditEntry(**forged, prev_hash=head.hash, hash=digest))
    session.commit()
    res = audit.verify(session)
    assert not res.ok and res.bad_seq == head.seq + 1
