"""Running one claimed job: the stage code both the embedded runner and Celery workers execute.

Idempotent by construction: derived rows are replaced in one transaction (``replace_call_results``), blobs
are written under fixed keys, index terms are unique per call. Running a job twice — because a worker was
killed after the commit but before the acknowledgement — leaves exactly one set of results.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from models.audio_sandbox import decode_isolated
from models.provenance import utcnow
from service import audit, metrics, subject_index
from service.blobstore import call_blob_key
from service.callbacks import notify_completion
from service.jobs.context import WorkerContext
from service.register import category_for_artefact, category_for_entity
from service.retention import delete_artefact, opt_ins_from_settings, tags_for
from service.store.kinds import ArtefactKind, CallStatus, JobState
from service.store.models import Artefact, Call
from service.store.records import (
    ArtefactRecord,
    ClassificationRecord,
    EntityRecord,
    ProvenanceRecord,
    TurnRecord,
)
from service.store.repo_calls import require_call, set_call_status
from service.store.repo_jobs import fail_job, get_job, heartbeat, mark_job
from service.store.repo_results import replace_call_results

if TYPE_CHECKING:
    from service.pipeline.result import ProcessResult

log = logging.getLogger(__name__)
HEARTBEAT_EVERY_S = 5.0
RAW_CONTENT_TYPES = {"mulaw": "audio/basic", "alaw": "audio/x-alaw-basic"}
RAW_FORMAT_OF = {v: k for k, v in RAW_CONTENT_TYPES.items()}
WORKER_ACTOR = "worker"


@dataclass(frozen=True)
class JobInput:
    call_id: uuid.UUID
    channels: dict[int, str] | None
    audio_key: str
    raw_format: str | None


def run_claimed_job(ctx: WorkerContext, job_id: int, worker_id: str) -> None:
    """Process a job this worker has claimed; on error record a PII-free reason and schedule a retry."""
    stage = "transcribing"
    started = time.monotonic()
    try:
        job_input = _load_input(ctx, job_id)
        # the stored original is still outside bytes: a decoder crash must cost this job, not the worker
        audio = decode_isolated(ctx.blobs.get(job_input.audio_key), raw_format=job_input.raw_format,
                                max_channels=ctx.settings.max_audio_channels)
        beat = _Heartbeat(ctx, job_id, worker_id)

        def on_stage(name: str) -> None:
            nonlocal stage
            stage = name
            _mark(ctx, job_id, worker_id, name)

        result = ctx.pipeline.process(audio, job_input.channels, progress=beat, on_stage=on_stage)
        stage = "storing"
        _store(ctx, job_id, worker_id, job_input, result)
    except Exception as exc:
        reason = f"{stage}: {type(exc).__name__}"
        log.warning("job %s failed at %s (%s)", job_id, stage, type(exc).__name__)
        with ctx.db.session() as s:
            job = fail_job(s, job_id, reason, max_attempts=ctx.settings.job_max_attempts, worker_id=worker_id)
            if job.state == JobState.DEAD:
                set_call_status(s, job.call_id, CallStatus.FAILED)
                audit.record(s, WORKER_ACTOR, "system", "job.dead", "call", str(job.call_id), {"reason": reason})
            metrics.job_failed(job.state)
        return
    metrics.job_done(result, time.monotonic() - started)
    notify_completion(ctx, job_input.call_id)


def _load_input(ctx: WorkerContext, job_id: int) -> JobInput:
    with ctx.db.session() as s:
        job = get_job(s, job_id)
        call = require_call(s, job.call_id)
        call.status = CallStatus.PROCESSING.value
        original = s.scalars(select(Artefact).where(
            Artefact.call_id == call.id, Artefact.kind == ArtefactKind.ORIGINAL_AUDIO.value,
            Artefact.deleted_at.is_(None))).first()
        if original is None or not original.blob_key:
            raise MissingOriginal("original audio is gone")
        channels = {int(k): v for k, v in call.channels.items()} if call.channels else None
        return JobInput(call_id=call.id, channels=channels, audio_key=original.blob_key,
                        raw_format=RAW_FORMAT_OF.get(original.content_type or ""))


class MissingOriginal(RuntimeError):
    pass


class _Heartbeat:
    """Progress callback that proves liveness to the stale-job reaper, at most every few seconds."""

    def __init__(self, ctx: WorkerContext, job_id: int, worker_id: str) -> None:
        self.ctx, self.job_id, self.worker_id, self.last = ctx, job_id, worker_id, time.monotonic()

    def __call__(self, _done: float, _total: float) -> None:
        if time.monotonic() - self.last < HEARTBEAT_EVERY_S:
            return
        self.last = time.monotonic()
        with self.ctx.db.session() as s:
            heartbeat(s, self.job_id, self.worker_id)


def _mark(ctx: WorkerContext, job_id: int, worker_id: str, state: str) -> None:
    with ctx.db.session() as s:
        mark_job(s, job_id, state, worker_id=worker_id)


def _store(ctx: WorkerContext, job_id: int, worker_id: str, job_input: JobInput, result: ProcessResult) -> None:
    now = utcnow()
    call_id = job_input.call_id
    labels = [(c["kind"], c["label"]) for c in result.classifications]
    opt_ins = opt_ins_from_settings(ctx.settings)

    def artefact(kind: ArtefactKind, source: str = "ai_pipeline", **kw: Any) -> ArtefactRecord:
        return ArtefactRecord(kind=kind.value, data_category=category_for_artefact(kind), source=source,
                              tag=tags_for(kind, labels, now, opt_ins=opt_ins), **kw)

    wav_key = call_blob_key(call_id, ArtefactKind.REDACTED_AUDIO.value)
    ctx.blobs.put(wav_key, result.redacted_audio_wav)
    arts = [artefact(ArtefactKind.REDACTED_AUDIO, blob_key=wav_key, sha256=_sha(result.redacted_audio_wav),
                     size=len(result.redacted_audio_wav), content_type="audio/wav"),
            artefact(ArtefactKind.REDACTED_TRANSCRIPT), artefact(ArtefactKind.ENTITIES),
            artefact(ArtefactKind.CLASSIFICATION)]
    if ctx.settings.keep_raw_transcript:
        raw = json.dumps([{"turn": t.index, "speaker": t.speaker, "text": t.raw_text}
                          for t in result.raw_turns], ensure_ascii=False).encode()
        raw_key = call_blob_key(call_id, ArtefactKind.RAW_TRANSCRIPT.value)
        ctx.blobs.put(raw_key, raw)
        arts.append(artefact(ArtefactKind.RAW_TRANSCRIPT, blob_key=raw_key, sha256=_sha(raw), size=len(raw),
                             content_type="application/json"))
    with ctx.db.session() as s:
        mark_job(s, job_id, JobState.CLASSIFYING, worker_id=worker_id)  # still ours? raises JobLost if not
        outcome = replace_call_results(
            s, call_id, turns=[_turn_record(t) for t in result.turns],
            entities=[_entity_record(e) for e in result.entities],
            classifications=[ClassificationRecord(kind=c["kind"], label=c["label"], method=c["method"],
                                                  score=c["score"]) for c in result.classifications],
            provenance=_provenance_records(result), artefacts=arts, now=now)
        for etype, value in result.detected_values():
            kind = subject_index.KIND_FOR_ENTITY.get(etype)
            if kind:
                _index(s, call_id, kind, value)
        mark_job(s, job_id, JobState.DONE, worker_id=worker_id)
        set_call_status(s, call_id, CallStatus.DONE)
        audit.record(s, WORKER_ACTOR, "system", "job.done", "call", str(call_id),
                     {"entities": len(result.entities), "turns": len(result.turns)})
        _delete_expired_original(ctx, s, call_id, now)
    for key in outcome.orphaned_blob_keys:
        if key != wav_key:
            ctx.blobs.delete(key)


def _index(s: Any, call_id: uuid.UUID, kind: str, value: str) -> None:
    from redaction import canonical_value

    canonical = canonical_value(kind, value)
    if canonical is None:
        return
    with contextlib.suppress(subject_index.InvalidIdentifier):  # an ASR fragment that only looked like one
        subject_index.add(s, call_id, kind, canonical, role=subject_index.MENTION)


def _delete_expired_original(ctx: WorkerContext, s: Any, call_id: uuid.UUID, now: Any) -> None:
    """Default policy: the original recording goes as soon as the redacted audio exists (0 days)."""
    call = s.get(Call, call_id)
    for art in s.scalars(select(Artefact).where(
            Artefact.call_id == call_id, Artefact.kind == ArtefactKind.ORIGINAL_AUDIO.value,
            Artefact.deleted_at.is_(None))):
        if art.retain_until > now or art.legal_hold or call.legal_hold:
            continue
        if delete_artefact(s, ctx.blobs, art, now, reason="retention"):
            audit.record(s, WORKER_ACTOR, "system", "retention.delete", "call", str(call_id),
                         {"kinds": [art.kind], "policies": [art.policy]})


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _turn_record(t: Any) -> TurnRecord:
    return TurnRecord(idx=t.index, speaker=t.speaker, channel=t.channel, start_s=t.start, end_s=t.end,
                      text=t.text, words=tuple(t.words))


def _entity_record(e: Any) -> EntityRecord:
    return EntityRecord(turn_idx=e.turn, type=e.type, start=e.start, end=e.end, score=e.score,
                        recognizer=e.recognizer, category=category_for_entity(e.type), t_start=e.t_start,
                        t_end=e.t_end, operator=e.operator, explanation=e.explanation)


STAGE_ARTEFACT = {"redact_audio": ArtefactKind.REDACTED_AUDIO.value, "classify": ArtefactKind.CLASSIFICATION.value,
                  "detect_and_redact_text": ArtefactKind.ENTITIES.value}


def _provenance_records(result: ProcessResult) -> list[ProvenanceRecord]:
    out = []
    for act in result.provenance:
        kind = STAGE_ARTEFACT.get(act.stage)
        if act.stage.startswith("transcribe"):
            kind = ArtefactKind.REDACTED_TRANSCRIPT.value
        out.append(ProvenanceRecord(activity=act, artefact_kind=kind))
    return out
