"""Retention gaps from the security review (#11, #12, #17): what outlived erasure or the sweep, and what the
sweep or a worker must not touch. Real SQLite and PostgreSQL, real blob files, the project's own functions.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service.platform.blobstore import LocalBlobStore, call_blob_key
from service.platform.blobstore_s3 import BlobStoreUnavailable
from service.platform.crypto import Cipher, generate_key, parse_key
from service.privacy import audit
from service.privacy.retention import RetentionConfigError, erase_call, load_retention, set_legal_hold, sweep
from service.store.db import Database, open_database
from service.store.kinds import JobState
from service.store.models import (
    Artefact,
    AuditEntry,
    Call,
    Job,
    SubjectRequest,
    Tombstone,
    TurnCorrection,
    WebhookDelivery,
)
from service.store.records import ArtefactRecord, TurnRecord
from service.store.repo_calls import record_delivery
from service.store.repo_dispatch import claim_job, take_jobs_to_send
from service.store.repo_jobs import claim_next_job
from service.store.repo_results import replace_call_results
from tests.service.conftest import NOW, tag
from tests.service.test_retention import CONFIG, REGISTER, SERVICE

ADDRESS = "osoitteeni on Zyxwvukatu 77"


def accepted_body(external_id: str, job_id: int, status: str) -> dict[str, Any]:
    """The webhook's 202 answer as ``service.calls.ingest`` stores it: it names the telephony call id."""
    return {"call_id": external_id, "job_id": str(job_id), "status": status,
            "status_url": f"/v1/calls/{external_id}"}


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", Cipher(parse_key(generate_key())))


def _processed(session: Session, make_call: Any, blobs: LocalBlobStore, *, transcript_days: int = 1,
               classification_days: int = 730, hold: bool = False, external_id: str | None = None
               ) -> uuid.UUID:
    """A done call: original audio due at NOW, transcript (with a correction) and classification later."""
    call_id = uuid.uuid4()
    key = call_blob_key(call_id, "original_audio")
    blobs.put(key, b"original")
    cid = make_call(session, external_id or f"ext-{call_id.hex[:8]}", blob_key=key, call_id=call_id)
    arts = []
    for kind, days in (("redacted_transcript", transcript_days), ("classification", classification_days)):
        k = call_blob_key(cid, kind)
        blobs.put(k, b"derived")
        arts.append(ArtefactRecord(kind, "analyysitiedot", "tekoaly",
                                   tag(kind, NOW + timedelta(days=days), hold=hold), blob_key=k))
    replace_call_results(session, cid, turns=[TurnRecord(0, "customer", 0, 0, 1, ADDRESS)], entities=[],
                         classifications=[], provenance=[], artefacts=arts, now=NOW)
    session.add(TurnCorrection(call_id=cid, turn_idx=0, original_text=ADDRESS,
                               corrected_text="osoite on Zyxwvukatu 77 B",
                               agent={"name": "tsv", "kind": "person", "role": "privacy_officer"}))
    job = session.scalars(select(Job).where(Job.call_id == cid)).one()
    job.state = JobState.DONE.value
    session.commit()
    return cid


def _count(session: Session, model: type, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _fts_blocks_with(session: Session, piece: bytes) -> int:
    return sum(piece in bytes(b) for (b,) in session.execute(text("SELECT block FROM turns_fts_data")))


def test_corrections_and_index_words_go_with_the_transcript(session: Session, make_call: Any,
                                                            blobs: LocalBlobStore) -> None:
    cid = _processed(session, make_call, blobs)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        assert _fts_blocks_with(session, b"yxwvukatu") > 0
    report = sweep(session, blobs, now=NOW + timedelta(days=2))
    assert "redacted_transcript" in [d.kind for d in report.deleted] and report.errors == 0
    assert session.get(Call, cid) is not None, "the classification keeps the call"
    assert _count(session, TurnCorrection, TurnCorrection.call_id == cid) == 0
    if sqlite:
        assert _fts_blocks_with(session, b"yxwvukatu") == 0


@pytest.mark.parametrize("how", ["erasure", "purge"])
def test_the_delivery_of_an_erased_or_purged_call_keeps_no_call_id(session: Session, make_call: Any,
                                                                   blobs: LocalBlobStore, how: str) -> None:
    cid = _processed(session, make_call, blobs, transcript_days=1, classification_days=1, external_id="pbx-100")
    record_delivery(session, client="default", webhook_id="msg_95b6", call_id=cid, status_code=202,
                    response=accepted_body("pbx-100", 2, "queued"), now=NOW)
    session.commit()
    if how == "erasure":
        assert erase_call(session, blobs, cid, actor="tsv", role="privacy_officer", now=NOW)
        session.commit()
    else:
        assert sweep(session, blobs, now=NOW + timedelta(days=2)).calls_purged == [cid]
    session.expire_all()
    d = session.scalars(select(WebhookDelivery)).one()
    assert "pbx-100" not in str(d.response) and d.call_id is None
    assert d.status_code == 410, "a late retry of the delivery is told the call is gone, not re-created"


def test_records_are_minimised_and_expire_per_policy(session: Session, make_call: Any,
                                                     blobs: LocalBlobStore) -> None:
    recs = CONFIG.records
    old = NOW - timedelta(days=365 * 6)
    record_delivery(session, client="default", webhook_id="msg_old", call_id=None, status_code=202,
                    response=accepted_body("pbx-1", 1, "queued"), now=NOW - timedelta(days=30))
    record_delivery(session, client="default", webhook_id="msg_new", call_id=None, status_code=202,
                    response=accepted_body("pbx-2", 2, "queued"), now=NOW)
    terms = [{"kind": "phone", "hmac": "f" * 64}]
    matched = [{"id": str(uuid.uuid4()), "call_id": "pbx-1", "matched_by": ["phone"]}]
    done = SubjectRequest(kind="access", status="completed", created_by="tsv", created_by_role="privacy_officer",
                          terms=terms, verification="passport checked", matched_calls=matched,
                          result={"deleted": [{"id": matched[0]["id"], "call_id": "pbx-1"}]},
                          created_at=NOW - timedelta(days=60), completed_at=NOW - timedelta(days=60))
    fresh = SubjectRequest(kind="access", status="completed", created_by="tsv", created_by_role="privacy_officer",
                           terms=terms, verification="passport checked", matched_calls=matched,
                           created_at=NOW, completed_at=NOW)
    ancient = SubjectRequest(kind="erasure", status="completed", created_by="tsv", created_by_role="privacy_officer",
                             terms=[], verification="passport checked", matched_calls=[], created_at=old,
                             completed_at=old)
    session.add_all([done, fresh, ancient,
                     Tombstone(object_type="call", call_id=uuid.uuid4(), deleted_at=old, reason="erasure"),
                     Tombstone(object_type="call", call_id=uuid.uuid4(), deleted_at=NOW, reason="erasure")])
    for i in range(3):
        audit.record(session, "tsv", "privacy_officer", "test.old", "call", str(i), {}, now=old)
    audit.record(session, "tsv", "privacy_officer", "test.new", "call", "x", {}, now=NOW)
    session.commit()
    assert recs["subject_requests"].duration.after(NOW - timedelta(days=365 * 6)) < NOW

    report = sweep(session, blobs, now=NOW)
    session.expire_all()
    assert report.records["webhook_deliveries"] == 1 and report.records["subject_requests"] == 1
    assert [d.webhook_id for d in session.scalars(select(WebhookDelivery))] == ["msg_new"]
    assert session.get(SubjectRequest, ancient.id) is None
    kept = session.get(SubjectRequest, done.id)
    assert kept.terms == [] and "pbx-1" not in str(kept.matched_calls) + str(kept.result)
    assert kept.matched_calls[0]["id"] == matched[0]["id"], "internal ids stay: the receipt still adds up"
    assert session.get(SubjectRequest, fresh.id).terms == terms, "within the grace period nothing changes"
    assert _count(session, Tombstone) == 1
    # The audit log's expired rows go, behind a keyed checkpoint: the chain still verifies from the first kept row.
    assert report.records["audit_log"] == 3
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert "test.old" not in actions and "test.new" in actions and audit.PRUNE_ACTION in actions
    assert audit.verify(session).ok


class _FlakyStore(LocalBlobStore):
    """A real file store whose one object cannot be deleted (S3 Object Lock, AccessDenied)."""

    stuck: str = ""

    def delete(self, key: str) -> None:
        if key == self.stuck:
            raise BlobStoreUnavailable("S3 delete failed: AccessDenied")
        super().delete(key)


def test_a_blob_error_on_one_object_does_not_abort_the_sweep(session: Session, make_call: Any,
                                                              tmp_path: Path) -> None:
    store = _FlakyStore(tmp_path / "blobs", Cipher(parse_key(generate_key())))
    first = _processed(session, make_call, store, transcript_days=1, classification_days=1)
    second = _processed(session, make_call, store, transcript_days=1, classification_days=1)
    store.stuck = call_blob_key(first, "redacted_transcript")
    report = sweep(session, store, now=NOW + timedelta(days=2))
    assert report.errors >= 1
    assert second in report.calls_purged and session.get(Call, second) is None
    left = session.scalars(select(Artefact).where(Artefact.call_id == first, Artefact.deleted_at.is_(None))).all()
    assert [a.kind for a in left] == ["redacted_transcript"] and store.exists(store.stuck)


def test_the_sweep_runs_at_start_up_without_worker_threads(isolated_settings: Path, make_call: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api.app import create_app
    from service.platform.config import get_settings

    monkeypatch.setenv("PUHETURVA_WORKER_THREADS", "0")
    get_settings.cache_clear()
    settings = get_settings()
    db = open_database(settings.database_url)
    with db.session() as s:
        cid = make_call(s, "pbx-expired")  # its original audio was due at NOW (2025)
        s.scalars(select(Job).where(Job.call_id == cid)).one().state = JobState.DONE.value
    with TestClient(create_app(settings, workers=True)):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with db.session() as s:
                if s.get(Call, cid) is None:
                    break
            time.sleep(0.2)
    with db.session() as s:
        assert s.get(Call, cid) is None, "the start-up sweep purged the expired call"
    db.dispose()


def test_a_restricted_calls_job_is_not_claimed(session: Session, make_call: Any) -> None:
    cid = make_call(session, "pbx-restricted")
    job_id = session.scalars(select(Job.id).where(Job.call_id == cid)).one()
    session.get(Call, cid).restricted = True
    session.commit()
    later = NOW + timedelta(minutes=5)
    assert claim_next_job(session, "w1", now=later) is None
    assert claim_job(session, job_id, "w1", now=later) is None
    assert take_jobs_to_send(session, quiet_since=later, now=later) == []
    session.rollback()
    session.get(Call, cid).restricted = False
    session.commit()
    assert claim_next_job(session, "w1", now=later).id == job_id


def test_lifting_a_manual_hold_keeps_a_policy_hold(session: Session, make_call: Any,
                                                   blobs: LocalBlobStore) -> None:
    cid = _processed(session, make_call, blobs, hold=True)
    set_legal_hold(session, cid, True, actor="admin", role="admin", now=NOW)
    session.commit()
    set_legal_hold(session, cid, False, actor="admin", role="admin", now=NOW)
    session.commit()
    held = session.scalars(select(Artefact).where(Artefact.call_id == cid, Artefact.legal_hold.is_(True))).all()
    assert sorted(a.kind for a in held) == ["classification", "redacted_transcript"]
    report = sweep(session, blobs, now=NOW + timedelta(days=3650))
    assert "redacted_transcript" not in [d.kind for d in report.deleted] and report.skipped_hold >= 2


def test_a_hold_committed_during_the_sweep_wins(db: Database, make_call: Any, blobs: LocalBlobStore) -> None:
    """The sweep locks the call row before deleting blobs: a hold taken meanwhile is seen, not lost."""
    with db.sessions() as s:
        cid = _processed(s, make_call, blobs)
    holder = db.sessions()
    holder.get(Call, cid, with_for_update=True).legal_hold = True
    holder.flush()  # the row is locked (PostgreSQL) / the write lock taken (SQLite) until the commit
    out: dict[str, Any] = {}

    def run() -> None:
        with db.sessions() as s:
            out["report"] = sweep(s, blobs, now=NOW + timedelta(days=2))

    t = threading.Thread(target=run)
    t.start()
    time.sleep(1.0)
    holder.commit()
    holder.close()
    t.join(60)
    assert out["report"].deleted == [] and out["report"].skipped_hold > 0
    assert blobs.exists(call_blob_key(cid, "redacted_transcript"))


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.pop("tombstones"), "records without a retention: tombstones"),
    (lambda r: r.update(call_logs=r["tombstones"]), "unknown record kinds call_logs"),
    (lambda r: r["audit_log"].update(purpose="laadunvarmistus"), "records.audit_log: purpose 'laadunvarmistus'"),
    (lambda r: r["subject_requests"].update(minimise_after="soon"), "not a duration"),
])
def test_every_record_kind_has_a_valid_retention(tmp_path: Path, change: Any, message: str) -> None:
    data = yaml.safe_load((SERVICE / "retention.yaml").read_text(encoding="utf-8"))
    change(data["records"])
    p = tmp_path / "retention.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RetentionConfigError) as err:
        load_retention(p, REGISTER)
    assert message in str(err.value)


def test_migration_0007_withdraws_old_unkeyed_digests_and_delivery_call_ids(db_url: str, make_call: Any) -> None:
    """Rows written before this release: the upgrade to 0007 (re-run here after a downgrade) cleans them."""
    from models.provenance import utcnow
    from service.store.db import downgrade, migrate
    from service.store.models import Provenance

    db = open_database(db_url)
    with db.session() as s:
        cid = make_call(s, "pbx-old")
        s.add(Provenance(call_id=cid, stage="classify", started_at=utcnow(), ended_at=utcnow(),
                         agent={"name": "x"}, used={"redacted_transcript": "e5" * 32, "audio": "a" * 64},
                         generated={"redacted_turn": "hmac-sha256:" + "1" * 64, "classifications": "2" * 64}))
        record_delivery(s, client="default", webhook_id="msg_old", call_id=None, status_code=202,
                        response=accepted_body("pbx-old", 1, "queued"), now=NOW)
    db.dispose()
    downgrade(db_url, "0006")
    migrate(db_url)
    db = open_database(db_url)
    with db.session() as s:
        p = s.scalars(select(Provenance)).one()
        d = s.scalars(select(WebhookDelivery)).one()
        assert p.used == {"redacted_transcript": "withdrawn:unkeyed", "audio": "withdrawn:unkeyed"}
        assert p.generated == {"redacted_turn": "hmac-sha256:" + "1" * 64, "classifications": "2" * 64}
        assert d.status_code == 410 and "pbx-old" not in str(d.response)
    db.dispose()
