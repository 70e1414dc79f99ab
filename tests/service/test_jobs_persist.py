"""``service.jobs.persist``: a pipeline result gathered, then stored in one transaction (real database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.provenance import utcnow
from redaction import canonical_value
from service.jobs.context import WorkerContext, context_from_settings
from service.jobs.persist import RunningJob, gather, store_results
from service.platform.config import get_settings
from service.privacy import subject_index
from service.store.kinds import JobState
from service.store.models import Artefact, Call, Classification, Entity, Job, Turn
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job
from service.store.repo_jobs import JobLost, claim_next_job
from tests.service.fake_pipeline import PHONE, fake_pipeline, stereo_audio


@pytest.fixture
def ctx(isolated_settings: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerContext]:
    monkeypatch.setenv("PUHETURVA_DATABASE_URL", db_url)
    get_settings.cache_clear()
    context = context_from_settings(get_settings())
    try:
        yield context
    finally:
        context.db.dispose()


@pytest.fixture(scope="module")
def result() -> Any:
    return fake_pipeline().process(stereo_audio())


def _claimed(ctx: WorkerContext) -> tuple[uuid.UUID, int]:
    with ctx.db.session() as s:
        call = create_call_with_job(s, client="default", external_id="persist-1", audio_sha256="a" * 64,
                                    meta=CallMeta()).call
        job = claim_next_job(s, "w1")
        assert job is not None
        return call.id, job.id


def test_gather_touches_nothing_and_holds_every_row(isolated_settings: Path, result: Any) -> None:
    rows = gather(get_settings(), uuid.uuid4(), result, utcnow())
    assert [b.data for b in rows.blobs] == [result.redacted_audio_wav]  # no raw transcript unless kept
    assert rows.rights_items == ()  # the fake pipeline runs no rights detector, so no rights_items artefact either
    assert [a.kind for a in rows.artefacts] == ["redacted_audio", "redacted_transcript", "entities",
                                                "classification"]
    assert rows.index_terms == (("phone", canonical_value("phone", PHONE)),)
    assert rows.turns[1].words == tuple(w.to_dict() for w in result.turns[1].words)
    assert [(c.kind, c.label) for c in rows.classifications if c.value is None] == [
        ("call_reason", "laskutus"), ("pii_category", "has_phone")]
    measures = {(c.kind, c.label): c.unit for c in rows.classifications if c.value is not None}
    assert measures[("talk_time", "agent")] == "s" and measures[("silence_share", "call")] == "%"
    assert {p.artefact_kind for p in rows.provenance} == {"redacted_transcript", "entities", "redacted_audio",
                                                          "classification"}


def test_store_results_writes_everything_and_finishes_the_job(ctx: WorkerContext, result: Any) -> None:
    call_id, job_id = _claimed(ctx)
    store_results(ctx, RunningJob(job_id, "w1", call_id, JobState.CLASSIFYING), result)
    with ctx.db.session() as s:
        assert s.get(Job, job_id).state == "done" and s.get(Call, call_id).status == "done"
        turns = list(s.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.idx)))
        assert [t.text for t in turns] == [t.text for t in result.turns]
        assert turns[1].words == [w.to_dict() for w in result.turns[1].words]
        assert [e.type for e in s.scalars(select(Entity).where(Entity.call_id == call_id))] == ["PHONE"]
        assert s.scalars(select(Classification).where(Classification.call_id == call_id)).first() is not None
        wav = s.scalars(select(Artefact).where(Artefact.call_id == call_id,
                                               Artefact.kind == "redacted_audio")).one()
        assert subject_index.find_calls(s, [("phone", PHONE)]) == {call_id}
    assert ctx.blobs.get(wav.blob_key) == result.redacted_audio_wav


def test_a_job_taken_over_stores_no_row(ctx: WorkerContext, result: Any) -> None:
    call_id, job_id = _claimed(ctx)
    with pytest.raises(JobLost):
        store_results(ctx, RunningJob(job_id, "someone-else", call_id, JobState.CLASSIFYING), result)
    with ctx.db.session() as s:
        assert s.scalars(select(Turn).where(Turn.call_id == call_id)).first() is None
        assert s.get(Job, job_id).state == "transcribing" and s.get(Call, call_id).status != "done"
