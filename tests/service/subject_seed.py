"""Processed calls seeded straight through the store, as the worker would leave them (no ASR: fast).

Each call has an agent turn and a customer turn with placeholders, entities at the placeholders, a call
reason, a classify provenance row, artefacts tagged by the real retention policy, a small stereo WAV as the
redacted audio (agent on channel 0, customer on channel 1) and subject-index terms for the metadata (party)
and the spoken identifiers (mention), which is exactly what a data-subject request searches.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from models.audio import encode_wav
from models.provenance import Activity, ModelInfo
from redaction import canonical_value
from service.platform.blobstore import BlobStore, call_blob_key
from service.privacy import subject_index
from service.privacy.register import category_for_artefact
from service.privacy.retention import tags_for
from service.store.kinds import ArtefactKind, CallStatus, JobState
from service.store.models import Provenance
from service.store.records import (
    ArtefactRecord,
    CallMeta,
    ClassificationRecord,
    EntityRecord,
    ProvenanceRecord,
    TurnRecord,
)
from service.store.repo_calls import create_call_with_job, set_call_status
from service.store.repo_results import replace_call_results

AGENT_ID = "agent-7731"
AGENT_TEXT = "Tervetuloa, puhelimessa Kuituverkon Maija, kuinka voin palvella?"
CUSTOMER_TEXT = "Henkilötunnukseni on [HETU] ja sähköpostini on [SÄHKÖPOSTI]."
SPOKEN_EMAIL = "pekka piste nieminen ät example piste fi"  # as the ASR writes it; indexed in written form


@dataclass(frozen=True)
class Person:
    phone: str  # calls in from this number (metadata)
    hetu: str  # says this in the call
    email: str  # says this in the call (written form)


PEKKA = Person(phone="040 765 1234", hetu="131052-308T", email="pekka.nieminen@example.fi")
OTHER = Person(phone="+358 50 111 2222", hetu="150376-456D", email="liisa.korhonen@example.fi")


def stereo_wav(seconds: float = 0.5) -> bytes:
    """Channel 0 (agent) and channel 1 (customer) both audible, so silencing one is visible."""
    t = np.arange(int(16000 * seconds)) / 16000
    return encode_wav([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)])


def mono_wav(seconds: float = 0.5) -> bytes:
    """One channel holding both voices, as a mono recording does: no channel can be told apart."""
    t = np.arange(int(16000 * seconds)) / 16000
    return encode_wav(0.3 * np.sin(2 * np.pi * 440 * t))


def seed_call(session: Session, blobs: BlobStore, external_id: str, person: Person, *,
              reason: str = "laskutus", spoken_email: str | None = None, now: datetime | None = None,
              mono: bool = False, mentions: tuple[tuple[str, str], ...] = (), reviewed_by: str | None = None
              ) -> uuid.UUID:
    """A processed call from ``person``; commits and returns the call id.

    ``mono``: a single-channel recording, every turn ``unknown`` (as the pipeline labels mono audio).
    ``mentions``: other people's identifiers spoken in the call (indexed as the worker indexes them).
    ``reviewed_by``: a QA reviewer's login on a ``review:missed_identifier`` provenance row.
    """
    now = now or datetime.now(UTC)
    call_id = uuid.uuid4()
    created = create_call_with_job(
        session, client="default", external_id=external_id, audio_sha256="a" * 64, call_id=call_id,
        meta=CallMeta(started_at=now - timedelta(minutes=5), direction="inbound", queue="laskutus",
                      agent_id=AGENT_ID, channels={} if mono else {"0": "agent", "1": "customer"},
                      duration_s=42.0), now=now)
    assert created.job is not None
    created.job.state = JobState.DONE.value
    labels = [("call_reason", reason)]

    def artefact(kind: ArtefactKind, **kw: object) -> ArtefactRecord:
        return ArtefactRecord(kind=kind.value, data_category=category_for_artefact(kind), source="ai_pipeline",
                              tag=tags_for(kind, labels, now), **kw)  # type: ignore[arg-type]

    wav = mono_wav() if mono else stereo_wav()
    key = call_blob_key(call_id, ArtefactKind.REDACTED_AUDIO.value)
    blobs.put(key, wav)
    hetu_at = CUSTOMER_TEXT.index("[HETU]")
    email_at = CUSTOMER_TEXT.index("[SÄHKÖPOSTI]")
    classify = Activity(stage="classify", started_at=now, ended_at=now,
                        agent=ModelInfo(name="puheturva.call_reason", version="1.0"))
    replace_call_results(
        session, call_id,
        turns=[TurnRecord(0, "unknown" if mono else "agent", 0, 0.0, 3.0, AGENT_TEXT),
               TurnRecord(1, "unknown" if mono else "customer", 0 if mono else 1, 3.5, 9.0, CUSTOMER_TEXT)],
        entities=[EntityRecord(1, "HETU", hetu_at, hetu_at + 6, 1.0, "hetu", "perustiedot", 4.0, 6.0),
                  EntityRecord(1, "EMAIL", email_at, email_at + 12, 1.0, "email", "perustiedot", 6.5, 8.5)],
        classifications=[ClassificationRecord("call_reason", reason, "model", 0.9)],
        provenance=[ProvenanceRecord(classify, artefact_kind="classification")],
        artefacts=[artefact(ArtefactKind.REDACTED_AUDIO, blob_key=key, sha256=hashlib.sha256(wav).hexdigest(),
                            size=len(wav), content_type="audio/wav"),
                   artefact(ArtefactKind.REDACTED_TRANSCRIPT), artefact(ArtefactKind.ENTITIES),
                   artefact(ArtefactKind.CLASSIFICATION)],
        now=now)
    set_call_status(session, call_id, CallStatus.DONE)
    if reviewed_by:
        session.add(Provenance(call_id=call_id, stage="review:missed_identifier", started_at=now, ended_at=now,
                               agent={"name": reviewed_by, "kind": "person", "role": "qa_reviewer"}))
    subject_index.add(session, call_id, "phone", person.phone, role=subject_index.PARTY)  # caller (webhook)
    subject_index.add(session, call_id, "hetu", person.hetu, role=subject_index.MENTION)  # spoken (worker)
    written = canonical_value("email", spoken_email) if spoken_email else person.email
    assert written is not None
    subject_index.add(session, call_id, "email", written, role=subject_index.MENTION)
    for kind, value in mentions:  # someone else's, spoken in the call
        subject_index.add(session, call_id, kind, value, role=subject_index.MENTION)
    session.commit()
    return call_id
