"""Storing one job's results: gather everything first, then write it in one transaction.

Gathering (retention tags, store records, subject-index terms, blob contents) touches no database row, so a
mistake there leaves the job's previous results as they were. The blobs go to their fixed keys before the
transaction; the rows (results, index terms, job done, call done, audit, retention of the original) then commit
together or not at all.

Idempotent by construction: derived rows are replaced in one transaction (``replace_call_results``), blobs
are written under fixed keys, index terms are unique per call. Running a job twice — because a worker was
killed after the commit but before the acknowledgement — leaves exactly one set of results.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from redaction import canonical_value
from service.jobs.context import WorkerContext
from service.pipeline.result import ProcessResult, RedactedEntity, RedactedTurn, RightsItem
from service.platform.blobstore import call_blob_key
from service.privacy import audit, subject_index
from service.privacy.register import category_for_artefact, category_for_entity
from service.privacy.retention import delete_artefact, opt_ins_from_settings, tags_for
from service.store.kinds import ArtefactKind, CallStatus, JobState
from service.store.models import Call
from service.store.records import (
    ArtefactRecord,
    ClassificationRecord,
    EntityRecord,
    ProvenanceRecord,
    RightsItemRecord,
    TurnRecord,
)
from service.store.repo_artefacts import live_artefacts
from service.store.repo_calls import set_call_status
from service.store.repo_jobs import mark_job
from service.store.repo_results import replace_call_results
from service.store.repo_rights import RIGHTS_CLASSIFICATION, replace_rights_items

WORKER_ACTOR = "worker"
STAGE_ARTEFACT = {"redact_audio": ArtefactKind.REDACTED_AUDIO.value, "classify": ArtefactKind.CLASSIFICATION.value,
                  "detect_and_redact_text": ArtefactKind.ENTITIES.value,
                  "conversation_analytics": ArtefactKind.CLASSIFICATION.value,
                  "detect_rights": ArtefactKind.RIGHTS_ITEMS.value}


@dataclass(frozen=True)
class Blob:
    key: str
    data: bytes


@dataclass(frozen=True)
class Gathered:
    """Everything one job writes, computed before a row is touched."""

    blobs: tuple[Blob, ...]
    artefacts: tuple[ArtefactRecord, ...]
    turns: tuple[TurnRecord, ...]
    entities: tuple[EntityRecord, ...]
    classifications: tuple[ClassificationRecord, ...]
    provenance: tuple[ProvenanceRecord, ...]
    index_terms: tuple[tuple[str, str], ...]  # (subject-index kind, canonical value); raw values, memory only
    rights_items: tuple[RightsItemRecord, ...] = ()


@dataclass(frozen=True)
class RunningJob:
    """The job being stored: ``state`` is the running state it shows now (re-marked to prove it is still ours)."""

    job_id: int
    worker_id: str
    call_id: uuid.UUID
    state: JobState


def store_results(ctx: WorkerContext, job: RunningJob, result: ProcessResult) -> None:
    """Write the blobs, then every row in one transaction; delete the blobs the previous run left."""
    now = utcnow()
    rows = gather(ctx.settings, job.call_id, result, now)
    for blob in rows.blobs:
        ctx.blobs.put(blob.key, blob.data)
    with ctx.db.session() as s:
        mark_job(s, job.job_id, job.state, worker_id=job.worker_id)  # still ours? raises JobLost if not
        outcome = replace_call_results(
            s, job.call_id, turns=list(rows.turns), entities=list(rows.entities),
            classifications=list(rows.classifications), provenance=list(rows.provenance),
            artefacts=list(rows.artefacts), now=now)
        for kind, canonical in rows.index_terms:
            _index(s, job.call_id, kind, canonical)
        queued = replace_rights_items(s, job.call_id, rows.rights_items, now)
        if queued:
            audit.record(s, WORKER_ACTOR, "system", "rights.items_found", "call", str(job.call_id),
                         {"kinds": sorted({r.kind for r in rows.rights_items}), "items": queued})
        mark_job(s, job.job_id, JobState.DONE, worker_id=job.worker_id)
        set_call_status(s, job.call_id, CallStatus.DONE)
        audit.record(s, WORKER_ACTOR, "system", "job.done", "call", str(job.call_id),
                     {"entities": len(result.entities), "turns": len(result.turns)})
        delete_expired_original(ctx, s, job.call_id, now)
    written = {blob.key for blob in rows.blobs}
    for key in outcome.orphaned_blob_keys:
        if key not in written:
            ctx.blobs.delete(key)


def gather(settings: Any, call_id: uuid.UUID, result: ProcessResult, now: datetime) -> Gathered:
    """The tags, records, index terms and blob contents of ``result`` (pure: no database, no blob store)."""
    labels = [(c.kind, c.label) for c in result.classifications]
    opt_ins = opt_ins_from_settings(settings)

    def artefact(kind: ArtefactKind, source: str = "ai_pipeline", **kw: Any) -> ArtefactRecord:
        return ArtefactRecord(kind=kind.value, data_category=category_for_artefact(kind), source=source,
                              tag=tags_for(kind, labels, now, opt_ins=opt_ins), **kw)

    wav = Blob(call_blob_key(call_id, ArtefactKind.REDACTED_AUDIO.value), result.redacted_audio_wav)
    blobs = [wav]
    arts = [artefact(ArtefactKind.REDACTED_AUDIO, blob_key=wav.key, sha256=_sha(wav.data), size=len(wav.data),
                     content_type="audio/wav"),
            artefact(ArtefactKind.REDACTED_TRANSCRIPT), artefact(ArtefactKind.ENTITIES),
            artefact(ArtefactKind.CLASSIFICATION)]
    if result.rights_items:  # only a call with requests in it keeps them, under their own (longer) retention
        arts.append(artefact(ArtefactKind.RIGHTS_ITEMS, source="rekisteroity"))
    if settings.keep_raw_transcript:
        raw = Blob(call_blob_key(call_id, ArtefactKind.RAW_TRANSCRIPT.value),
                   json.dumps([{"turn": t.index, "speaker": t.speaker, "text": t.raw_text}
                               for t in result.raw_turns], ensure_ascii=False).encode())
        blobs.append(raw)
        arts.append(artefact(ArtefactKind.RAW_TRANSCRIPT, blob_key=raw.key, sha256=_sha(raw.data),
                             size=len(raw.data), content_type="application/json"))
    return Gathered(
        blobs=tuple(blobs), artefacts=tuple(arts), turns=tuple(turn_record(t) for t in result.turns),
        entities=tuple(entity_record(e) for e in result.entities),
        classifications=tuple([ClassificationRecord(kind=c.kind, label=c.label, method=c.method, score=c.score,
                                                    value=c.value, unit=c.unit)
                               for c in (*result.classifications, *result.analytics)]
                              + rights_classifications(result)),
        provenance=tuple(provenance_records(result)), index_terms=tuple(index_terms(result)),
        rights_items=tuple(rights_item_record(r) for r in result.rights_items))


def rights_item_record(r: RightsItem) -> RightsItemRecord:
    return RightsItemRecord(kind=r.kind, channel=r.channel, turn_idx=r.turn, t_start=r.start, t_end=r.end,
                            cues=r.cues, score=r.score, method=r.method)


def rights_classifications(result: ProcessResult) -> list[ClassificationRecord]:
    """A ``rights_request`` classification per item, tagged with the ``rights_items`` artefact's retention."""
    return [ClassificationRecord(kind=RIGHTS_CLASSIFICATION, label=r.kind if r.channel is None
                                 else f"{r.kind}:{r.channel}", method=r.method, score=r.score,
                                 artefact_kind=ArtefactKind.RIGHTS_ITEMS.value) for r in result.rights_items]


def index_terms(result: ProcessResult) -> list[tuple[str, str]]:
    """``(kind, canonical value)`` of every detected identifier the subject index keeps, in detection order."""
    out: list[tuple[str, str]] = []
    for etype, value in result.detected_values():
        kind = subject_index.KIND_FOR_ENTITY.get(etype)
        canonical = canonical_value(kind, value) if kind else None
        if kind is not None and canonical is not None:
            out.append((kind, canonical))
    return out


def _index(s: Session, call_id: uuid.UUID, kind: str, canonical: str) -> None:
    with contextlib.suppress(subject_index.InvalidIdentifier):  # an ASR fragment that only looked like one
        subject_index.add(s, call_id, kind, canonical, role=subject_index.MENTION)


def delete_expired_original(ctx: WorkerContext, s: Session, call_id: uuid.UUID, now: datetime) -> None:
    """Default policy: the original recording goes as soon as the redacted audio exists (0 days)."""
    call = s.get(Call, call_id)
    for art in live_artefacts(s, call_id, ArtefactKind.ORIGINAL_AUDIO):
        if art.retain_until > now or art.legal_hold or (call is not None and call.legal_hold):
            continue
        if delete_artefact(s, ctx.blobs, art, now, reason="retention"):
            audit.record(s, WORKER_ACTOR, "system", "retention.delete", "call", str(call_id),
                         {"kinds": [art.kind], "policies": [art.policy]})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def turn_record(t: RedactedTurn) -> TurnRecord:
    return TurnRecord(idx=t.index, speaker=t.speaker, channel=t.channel, start_s=t.start, end_s=t.end,
                      text=t.text, words=tuple(w.to_dict() for w in t.words))


def entity_record(e: RedactedEntity) -> EntityRecord:
    return EntityRecord(turn_idx=e.turn, type=e.type, start=e.start, end=e.end, score=e.score,
                        recognizer=e.recognizer, category=category_for_entity(e.type), t_start=e.t_start,
                        t_end=e.t_end, operator=e.operator, explanation=e.explanation)


def provenance_records(result: ProcessResult) -> list[ProvenanceRecord]:
    """Each activity tied to the artefact it produced (every transcription to the redacted transcript)."""
    out = []
    for act in result.provenance:
        kind = STAGE_ARTEFACT.get(act.stage)
        if act.stage.startswith("transcribe"):
            kind = ArtefactKind.REDACTED_TRANSCRIPT.value
        out.append(ProvenanceRecord(activity=act, artefact_kind=kind))
    return out
