"""Calls and webhook deliveries: creation that is idempotent under concurrent retries, and reads for the UI.

The pattern for "create unless it exists" is: look, then insert inside a SAVEPOINT, and on a unique-constraint
violation roll the savepoint back and return the row the other writer committed. The constraints, not the
look-up, are what guarantee nothing is created twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.store.kinds import ArtefactKind, CallStatus, JobState
from service.store.models import (
    Artefact,
    Call,
    Classification,
    Entity,
    Job,
    Provenance,
    SubjectTerm,
    Turn,
    TurnCorrection,
    WebhookDelivery,
)
from service.store.records import ArtefactRecord, CallMeta
from service.store.rows import rowcount


class CallNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CallCreation:
    call: Call
    job: Job | None
    created: bool  # False: the call already existed (a retry); nothing new was written


def new_artefact(call_id: uuid.UUID, rec: ArtefactRecord, now: datetime) -> Artefact:
    return Artefact(
        call_id=call_id, kind=ArtefactKind(rec.kind).value, blob_key=rec.blob_key, sha256=rec.sha256,
        size=rec.size, content_type=rec.content_type, data_category=rec.data_category, source=rec.source,
        policy=rec.tag.policy, purpose=rec.tag.purpose, legal_basis=rec.tag.legal_basis,
        retain_until=rec.tag.retain_until, legal_hold=rec.tag.legal_hold, created_at=now,
    )


def find_call(session: Session, client: str, external_id: str) -> Call | None:
    return session.scalars(select(Call).where(Call.client == client, Call.external_id == external_id)).first()


def calls_with_external_id(session: Session, external_id: str, client: str | None = None) -> list[Call]:
    """Every call with this telephony id (of ``client`` when given), by client: ids are unique per client only."""
    q = select(Call).where(Call.external_id == external_id)
    if client is not None:
        q = q.where(Call.client == client)
    return list(session.scalars(q.order_by(Call.client)))


def get_call(session: Session, call_id: uuid.UUID) -> Call | None:
    return session.get(Call, call_id)


def require_call(session: Session, call_id: uuid.UUID) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise CallNotFound(f"no call {call_id}")
    return call


def existing_call_ids(session: Session, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``ids`` whose call still exists."""
    return set(session.scalars(select(Call.id).where(Call.id.in_(ids))))


@dataclass(frozen=True)
class CallRowCounts:
    """How many rows of each kind hang off one call (what erasing it removes besides its artefacts)."""

    turns: int
    entities: int
    classifications: int
    provenance: int
    subject_terms: int
    corrections: int
    jobs: int


def call_row_counts(session: Session, call_id: uuid.UUID) -> CallRowCounts:
    def count(model: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(model.call_id == call_id)) or 0)

    return CallRowCounts(turns=count(Turn), entities=count(Entity), classifications=count(Classification),
                         provenance=count(Provenance), subject_terms=count(SubjectTerm),
                         corrections=count(TurnCorrection), jobs=count(Job))


def latest_job(session: Session, call_id: uuid.UUID) -> Job | None:
    return session.scalars(select(Job).where(Job.call_id == call_id).order_by(Job.id.desc()).limit(1)).first()


def create_call_with_job(
    session: Session, *, client: str, external_id: str, audio_sha256: str, meta: CallMeta,
    original_audio: ArtefactRecord | None = None, call_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> CallCreation:
    """Create the call, its original-audio artefact and a queued job — or return the existing call.

    Pass ``call_id`` when the audio blob was already written under a key derived from it. When the result
    says ``created=False`` that blob is an orphan (another request won the race): delete it. Caller commits.
    """
    existing = find_call(session, client, external_id)
    if existing is not None:
        return CallCreation(existing, latest_job(session, existing.id), created=False)
    now = now or utcnow()
    try:
        with session.begin_nested():
            call = Call(
                id=call_id or uuid.uuid4(), client=client, external_id=external_id,
                audio_sha256=audio_sha256, started_at=meta.started_at, direction=meta.direction,
                queue=meta.queue, agent_id=meta.agent_id,
                channels={str(k): v for k, v in meta.channels.items()}, duration_s=meta.duration_s,
                status=CallStatus.RECEIVED.value, created_at=now, updated_at=now,
            )
            session.add(call)
            session.flush()
            job = Job(call_id=call.id, state=JobState.QUEUED.value, attempts=0, next_attempt_at=now,
                      created_at=now, updated_at=now)
            session.add(job)
            if original_audio is not None:
                session.add(new_artefact(call.id, original_audio, now))
            session.flush()
    except IntegrityError:
        existing = find_call(session, client, external_id)
        if existing is None:
            raise
        return CallCreation(existing, latest_job(session, existing.id), created=False)
    return CallCreation(call, job, created=True)


def set_call_status(session: Session, call_id: uuid.UUID, status: CallStatus | str) -> Call:
    call = require_call(session, call_id)
    call.status = CallStatus(status).value
    call.updated_at = utcnow()
    return call


def set_restricted(session: Session, call_id: uuid.UUID, restricted: bool) -> Call:
    """Restriction of processing (GDPR art. 18): the call stays stored but is not shown or reprocessed."""
    call = require_call(session, call_id)
    call.restricted = restricted
    call.updated_at = utcnow()
    return call


@dataclass(frozen=True)
class CallView:
    """Everything the QA view shows of one call (ORM objects, readable after the session closes)."""

    call: Call
    job: Job | None
    turns: list[Turn]
    entities: list[Entity]
    classifications: list[Classification]
    artefacts: list[Artefact]  # live ones only (not deleted by retention)
    provenance: list[Provenance]


def get_call_view(session: Session, call_id: uuid.UUID) -> CallView | None:
    call = session.get(Call, call_id)
    if call is None:
        return None

    def rows(model: Any, *order: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.call_id == call_id).order_by(*order)))

    artefacts = [a for a in rows(Artefact, Artefact.id) if a.deleted_at is None]
    return CallView(
        call=call, job=latest_job(session, call_id), turns=rows(Turn, Turn.idx),
        entities=rows(Entity, Entity.turn_idx, Entity.start),
        classifications=rows(Classification, Classification.id),
        artefacts=artefacts, provenance=rows(Provenance, Provenance.id),
    )


def find_delivery(session: Session, client: str, webhook_id: str) -> WebhookDelivery | None:
    q = select(WebhookDelivery).where(WebhookDelivery.client == client,
                                      WebhookDelivery.webhook_id == webhook_id)
    return session.scalars(q).first()


def record_delivery(
    session: Session, *, client: str, webhook_id: str, call_id: uuid.UUID | None, status_code: int,
    response: dict[str, Any], now: datetime | None = None,
) -> tuple[WebhookDelivery, bool]:
    """Remember the response given to a webhook delivery. Returns ``(delivery, created)``; on a concurrent
    duplicate the first stored response wins and is returned. ``response`` must be PII-free.
    Caller commits."""
    existing = find_delivery(session, client, webhook_id)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            d = WebhookDelivery(client=client, webhook_id=webhook_id, call_id=call_id,
                                status_code=status_code, response=response, received_at=now or utcnow())
            session.add(d)
            session.flush()
    except IntegrityError:
        existing = find_delivery(session, client, webhook_id)
        if existing is None:
            raise
        return existing, False
    return d, True


def detach_deliveries(session: Session, call_id: uuid.UUID, *, response: Mapping[str, Any],
                      status_code: int) -> None:
    """Unlink the call's webhook deliveries from it, replacing their stored answer. Caller commits."""
    session.execute(update(WebhookDelivery).where(WebhookDelivery.call_id == call_id)
                    .values(response=response, status_code=status_code, call_id=None))


def delete_deliveries_before(session: Session, cutoff: datetime) -> int:
    """Delete the deliveries received before ``cutoff``; returns how many went. Caller commits."""
    return rowcount(session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)))
