"""Audit log: a valid chain verifies; an edited, deleted or reordered row is detected; appends serialise."""

from __future__ import annotations

import threading

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from service import audit
from service.store.db import Database
from service.store.models import AuditEntry
from tests.service.conftest import NOW


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
