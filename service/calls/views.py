"""Read models of a call for the API and the UI: only redacted data, shaped for display.

Every function here returns what a QA reviewer may see; raw audio and raw transcripts are never included,
nor the recording's plain sha256 (anyone holding the recording could confirm it is here): readers see its
keyed digest, the same value the provenance shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.calls.document import (
    Agent,
    CallDocument,
    CallFacts,
    ClassificationView,
    Correction,
    EntityView,
    JobSummary,
    ModelRef,
    ProvenanceEntry,
    RetentionRow,
    TurnView,
)
from service.platform.digests import audio_digest, current_key
from service.platform.errors import Conflict, NotFound
from service.privacy.subjects import corrections_of
from service.store.kinds import ArtefactKind
from service.store.models import Artefact, Call
from service.store.repo_artefacts import live_artefact
from service.store.repo_calls import calls_with_external_id, get_call_view


class CallHidden(NotFound):
    """No such call for this reader (absent, or restricted and the reader may not see restricted calls)."""


class AmbiguousCallId(Conflict, LookupError):
    """Several telephony clients used this call id: the reader must say which (``?client=``).

    Calls are unique per (client, call id). Answering 404 here would let one client hide another's call by
    reusing its id (review finding #13); answering with one of them would show the wrong tenant's call.
    """

    code = "ambiguous_call_id"

    def __init__(self, clients: list[str]) -> None:
        super().__init__(f"call id used by several telephony clients; add ?client= one of {', '.join(clients)}")
        self.clients = clients


def find_call_by_external_id(session: Session, external_id: str, *, include_restricted: bool,
                             client: str | None = None) -> Call:
    """The one call with this telephony id (of ``client`` when given) that this reader may see."""
    calls = [c for c in calls_with_external_id(session, external_id, client)
             if include_restricted or not c.restricted]
    if not calls:
        raise CallHidden("unknown call id")
    if len(calls) > 1:
        raise AmbiguousCallId([c.client for c in calls])
    return calls[0]


def call_document(session: Session, call_id: uuid.UUID) -> CallDocument:
    """The call as a reader may see it (``service.calls.document``); ``CallHidden`` when there is no such call."""
    view = get_call_view(session, call_id)
    if view is None:
        raise CallHidden("unknown call id")
    c, job = view.call, view.job
    model, measured = _model_ref(view.provenance, "classify"), _model_ref(view.provenance, "conversation_analytics")
    return CallDocument(
        call_id=c.external_id,
        status=c.status,
        job=JobSummary(id=str(job.id), state=job.state, attempts=job.attempts, last_error=job.last_error,
                       next_attempt_at=_iso(job.next_attempt_at), finished_at=_iso(job.finished_at))
        if job else None,
        call=CallFacts(client=c.client, started_at=_iso(c.started_at), direction=c.direction, queue=c.queue,
                       agent_id=c.agent_id, channels=c.channels or {}, duration_s=c.duration_s,
                       audio_digest=audio_digest(c.audio_sha256, current_key()), restricted=c.restricted,
                       legal_hold=c.legal_hold, received_at=_iso(c.created_at)),
        turns=[TurnView(turn=t.idx, speaker=t.speaker, channel=t.channel, start=t.start_s, end=t.end_s,
                        text=t.text, words=t.words) for t in view.turns],
        entities=[EntityView(turn=e.turn_idx, type=e.type, start=e.start, end=e.end, t_start=e.t_start,
                             t_end=e.t_end, score=e.score, recognizer=e.recognizer, operator=e.operator,
                             category=e.category) for e in view.entities],
        classifications=[ClassificationView(kind=k.kind, label=k.label, score=k.score, method=k.method,
                                            provenance=model if k.value is None else measured, value=k.value,
                                            unit=k.unit) for k in view.classifications],
        provenance=[ProvenanceEntry(stage=p.stage, start_time=_iso(p.started_at), end_time=_iso(p.ended_at),
                                    agent=Agent.model_validate(p.agent), used=p.used, generated=p.generated,
                                    artefact_id=p.artefact_id) for p in view.provenance],
        retention=[_retention_row(a) for a in view.artefacts],
        # Rectifications (GDPR art. 16): the turn above keeps its original text, corrections sit beside it.
        corrections=[Correction.model_validate(k) for k in corrections_of(session, call_id)],
    )


def _model_ref(provenance: Any, stage: str) -> ModelRef | None:
    """The agent of the first activity of ``stage`` (who produced a classification), or None."""
    act = next((p for p in provenance if p.stage == stage), None)
    return ModelRef(model=act.agent.get("name"), version=act.agent.get("version"),
                    sha256=act.agent.get("sha256")) if act else None


def _retention_row(a: Artefact) -> RetentionRow:
    return RetentionRow(artefact=a.kind, data_category=a.data_category, source=a.source, policy=a.policy,
                        purpose=a.purpose, legal_basis=a.legal_basis, retain_until=_iso(a.retain_until),
                        legal_hold=a.legal_hold)


def redacted_audio_key(session: Session, call_id: uuid.UUID) -> str | None:
    art = live_artefact(session, call_id, ArtefactKind.REDACTED_AUDIO)
    return art.blob_key if art else None


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None
