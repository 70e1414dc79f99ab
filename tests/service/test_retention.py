"""Retention: tags (longest wins, hold wins, opt-ins), and the sweeper (files, rows, tombstones, audit)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.platform.blobstore import LocalBlobStore, call_blob_key
from service.platform.crypto import Cipher, generate_key, parse_key
from service.platform.durations import parse_duration
from service.privacy import audit, subject_index
from service.privacy.register import load_register
from service.privacy.retention import (
    LegalHoldActive,
    RetentionConfigError,
    erase_call,
    load_retention,
    set_legal_hold,
    sweep,
    tags_for,
)
from service.store.kinds import JobState
from service.store.models import Artefact, AuditEntry, Call, Job, SubjectTerm, Tombstone, Turn
from service.store.records import ArtefactRecord, TurnRecord
from service.store.repo_results import replace_call_results
from tests.service.conftest import NOW

SERVICE = Path(__file__).parents[2] / "service" / "privacy"
REGISTER = load_register(SERVICE / "register.yaml")
CONFIG = load_retention(SERVICE / "retention.yaml", REGISTER)


def _config(tmp_path: Path, extra: dict) -> object:
    data = yaml.safe_load((SERVICE / "retention.yaml").read_text(encoding="utf-8"))
    data["policies"].update(extra)
    p = tmp_path / "retention.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_retention(p, REGISTER)


def test_defaults_per_kind() -> None:
    t = tags_for("redacted_transcript", {}, NOW, config=CONFIG)
    assert (t.policy, t.purpose, t.legal_basis, t.legal_hold) == ("redacted_transcript", "laadunvarmistus",
                                                                  "oikeutettu_etu", False)
    assert t.retain_until == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    audio = tags_for("redacted_audio", {}, NOW, config=CONFIG)
    assert audio.retain_until == datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert tags_for("original_audio", {}, NOW, config=CONFIG).retain_until == NOW
    assert tags_for("classification", [], NOW, config=CONFIG).retain_until.year == 2027


def test_classification_rule_keeps_complaints_longer_under_legal_obligation() -> None:
    t = tags_for("redacted_transcript", {"call_reason": "reklamaatio"}, NOW, config=CONFIG)
    assert (t.policy, t.legal_basis, t.retain_until.year) == ("complaint", "lakisaateinen_velvoite", 2028)
    # The rule does not cover audio: redacted audio keeps its own 3 months.
    audio = tags_for("redacted_audio", [("call_reason", "reklamaatio")], NOW, config=CONFIG)
    assert audio.policy == "redacted_audio"


def test_longer_wins_and_hold_wins(tmp_path: Path) -> None:
    cfg = _config(tmp_path, {
        "short_hold": {"kinds": ["redacted_transcript"], "when": {"call_reason": ["reklamaatio", "riita"]},
                       "retain": "1 days", "purpose": "lakisaateiset_velvoitteet",
                       "legal_basis": "lakisaateinen_velvoite", "legal_hold": True},
        "very_long": {"kinds": ["redacted_transcript"], "when": {"pii_categories": "perustiedot"},
                      "retain": "5 years", "purpose": "lakisaateiset_velvoitteet",
                      "legal_basis": "lakisaateinen_velvoite"},
    })
    t = tags_for("redacted_transcript", {"call_reason": "reklamaatio"}, NOW, config=cfg)
    assert (t.policy, t.retain_until.year, t.legal_hold) == ("complaint", 2028, True)  # 36 months > 1 day
    both = {"call_reason": "reklamaatio", "pii_categories": ["perustiedot"]}
    t = tags_for("redacted_transcript", both, NOW, config=cfg)
    assert (t.policy, t.retain_until.year, t.legal_hold) == ("very_long", 2030, True)
    assert tags_for("redacted_transcript", {"call_reason": "tilaus"}, NOW, config=cfg).legal_hold is False


def test_opt_in_keeps_raw_audio() -> None:
    assert tags_for("original_audio", {}, NOW, config=CONFIG).policy == "raw_audio"
    t = tags_for("original_audio", {}, NOW, opt_ins={"keep_original_audio"}, config=CONFIG)
    assert (t.policy, t.retain_until) == ("raw_audio_kept", NOW + timedelta(days=30))
    assert tags_for("raw_transcript", {}, NOW, opt_ins={"keep_original_audio"}, config=CONFIG).policy == (
        "raw_transcript")


@pytest.mark.parametrize(("extra", "message"), [
    ({"x": {"kinds": ["entities"], "retain": "1 days", "purpose": "markkinointi", "legal_basis": "sopimus"}},
     "unknown purpose 'markkinointi'"),
    ({"x": {"kinds": ["entities"], "retain": "1 days", "purpose": "laadunvarmistus",
            "legal_basis": "sopimus"}},
     "does not name legal basis 'sopimus'"),
    ({"x": {"kinds": ["entities"], "retain": "ages", "purpose": "laadunvarmistus",
            "legal_basis": "oikeutettu_etu"}}, "not a duration"),
    ({"x": {"kinds": ["entities"], "retain": "1 days", "purpose": "laadunvarmistus",
            "legal_basis": "oikeutettu_etu", "opt_in": "keep_everything"}}, "unknown opt_in"),
])
def test_invalid_policies_are_clear_errors(tmp_path: Path, extra: dict, message: str) -> None:
    with pytest.raises(RetentionConfigError) as err:
        _config(tmp_path, extra)
    assert message in str(err.value)


def test_every_kind_needs_an_unconditional_policy(tmp_path: Path) -> None:
    with pytest.raises(RetentionConfigError, match="entities"):
        _config(tmp_path, {"redacted_transcript": {
            "kinds": ["redacted_transcript"], "retain": "12 months", "purpose": "laadunvarmistus",
            "legal_basis": "oikeutettu_etu"}})


def test_calendar_months() -> None:
    def day(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, tzinfo=UTC)

    assert parse_duration("1 months").after(day(2025, 1, 31)) == day(2025, 2, 28)
    assert parse_duration("2 years").after(day(2024, 2, 29)) == day(2026, 2, 28)
    assert parse_duration("14 months").after(day(2025, 12, 15)) == day(2027, 2, 15)


# ------------------------------------------------------------------------------------------------ sweep


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs", Cipher(parse_key(generate_key())))


def _processed_call(session: Session, make_call, blobs: LocalBlobStore, *, reason: str = "laskutus"
                    ) -> uuid.UUID:
    """A call as the pipeline leaves it: original audio expired at NOW, redacted audio and transcript
    later."""
    call_id = uuid.uuid4()
    key = call_blob_key(call_id, "original_audio")
    blobs.put(key, b"original")
    cid = make_call(session, f"ext-{call_id}", blob_key=key, call_id=call_id)
    classes = {"call_reason": reason}
    arts = []
    for kind in ("redacted_audio", "redacted_transcript"):
        k = call_blob_key(cid, kind)
        blobs.put(k, b"derived")
        arts.append(ArtefactRecord(kind, REGISTER.category_for_artefact(kind), "tekoaly",
                                   tags_for(kind, classes, NOW, config=CONFIG), blob_key=k))
    replace_call_results(session, cid, turns=[TurnRecord(0, "agent", 0, 0, 1, "Hei <PERSON>")], entities=[],
                         classifications=[], provenance=[], artefacts=arts, now=NOW)
    subject_index.add(session, cid, "phone", "0401234567", key=b"k" * 32)
    job = session.scalars(select(Job).where(Job.call_id == cid)).one()
    job.state = JobState.DONE.value
    session.commit()
    return cid


def _count(session: Session, model: type, *where) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_sweep_deletes_files_and_rows_and_leaves_tombstones(session: Session, make_call, blobs) -> None:
    cid = _processed_call(session, make_call, blobs)
    report = sweep(session, blobs, now=NOW + timedelta(days=1))
    assert [(d.kind, d.policy) for d in report.deleted] == [("original_audio", "raw_audio")]
    assert not blobs.exists(call_blob_key(cid, "original_audio"))
    assert blobs.exists(call_blob_key(cid, "redacted_audio"))
    assert _count(session, Tombstone) == 1 and report.calls_purged == []

    report = sweep(session, blobs, now=NOW + timedelta(days=100))  # redacted audio (3 months) goes
    assert [d.kind for d in report.deleted] == ["redacted_audio"]
    assert _count(session, Turn) == 1  # the transcript stays 12 months

    report = sweep(session, blobs, now=NOW + timedelta(days=400))
    assert [d.kind for d in report.deleted] == ["redacted_transcript"] and report.calls_purged == [cid]
    assert not any(p.is_file() for p in (blobs.root / "calls" / str(cid)).rglob("*"))
    for model in (Call, Artefact, Turn, SubjectTerm, Job):
        assert _count(session, model) == 0, model.__name__
    stones = session.scalars(select(Tombstone).order_by(Tombstone.id)).all()
    assert [(t.object_type, t.kind) for t in stones] == [
        ("artefact", "original_audio"), ("artefact", "redacted_audio"), ("artefact", "redacted_transcript"),
        ("call", None)]
    assert all(t.call_id == cid and t.reason == "retention" for t in stones)
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions == ["retention.delete"] * 3 + ["retention.purge_call"]
    assert audit.verify(session).ok


def test_sweep_skips_legal_hold_and_active_jobs(session: Session, make_call, blobs) -> None:
    held = _processed_call(session, make_call, blobs)
    set_legal_hold(session, held, True, actor="cli:admin", role="admin")
    make_call(session, "still-queued", audio_until=NOW)
    session.commit()
    report = sweep(session, blobs, now=NOW + timedelta(days=2000))
    assert report.deleted == [] and report.skipped_hold == 3 and report.skipped_active == 1
    with pytest.raises(LegalHoldActive):
        erase_call(session, blobs, held, actor="po", role="privacy_officer")
    set_legal_hold(session, held, False, actor="cli:admin", role="admin")
    session.commit()
    assert len(sweep(session, blobs, now=NOW + timedelta(days=2000)).deleted) == 3


def test_dry_run_deletes_nothing(session: Session, make_call, blobs) -> None:
    cid = _processed_call(session, make_call, blobs)
    report = sweep(session, blobs, now=NOW + timedelta(days=2000), dry_run=True)
    assert len(report.deleted) == 3 and report.calls_purged == [cid]
    session.rollback()
    assert _count(session, Artefact, Artefact.deleted_at.is_(None)) == 3
    assert blobs.exists(call_blob_key(cid, "original_audio"))
    assert _count(session, Tombstone) == 0 and _count(session, AuditEntry) == 0


def test_erasure_removes_everything_of_the_call(session: Session, make_call, blobs) -> None:
    cid = _processed_call(session, make_call, blobs)
    other = _processed_call(session, make_call, blobs)
    assert erase_call(session, blobs, cid, actor="pekka", role="privacy_officer") is True
    session.commit()
    assert session.get(Call, cid) is None and session.get(Call, other) is not None
    assert not any(blobs.exists(call_blob_key(cid, k)) for k in ("original_audio", "redacted_audio"))
    assert blobs.exists(call_blob_key(other, "redacted_audio"))
    assert _count(session, Tombstone, Tombstone.call_id == cid, Tombstone.reason == "erasure") == 4
    assert erase_call(session, blobs, cid, actor="pekka", role="privacy_officer") is False
