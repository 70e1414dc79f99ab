"""Persisting what the pipeline derived from a call, so that a re-run replaces instead of duplicating."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.provenance import Activity, utcnow
from redaction.types import Explanation
from service.store.kinds import DERIVED_KINDS, ArtefactKind
from service.store.models import Artefact, Classification, Entity, Provenance, Turn, TurnCorrection
from service.store.records import (
    ArtefactRecord,
    ClassificationRecord,
    EntityRecord,
    ProvenanceRecord,
    TurnRecord,
)
from service.store.repo_calls import new_artefact, require_call

_DERIVED = sorted(k.value for k in DERIVED_KINDS)
# An explanation may say why a span was reported, never what it contained.
SAFE_EXPLANATION_KEYS = frozenset(f.name for f in fields(Explanation)) | {"operator", "rule", "threshold"}


class UnsafeExplanation(ValueError):
    """An entity explanation with a key outside the allow-list (it might carry the raw value)."""


@dataclass(frozen=True)
class ReplaceOutcome:
    artefact_ids: dict[str, int]  # kind -> id of the new artefact row
    orphaned_blob_keys: list[str]  # blobs of the previous run no new artefact points to: delete them


def replace_call_results(
    session: Session, call_id: uuid.UUID, *, turns: Sequence[TurnRecord], entities: Sequence[EntityRecord],
    classifications: Sequence[ClassificationRecord], provenance: Sequence[ProvenanceRecord | Activity],
    artefacts: Sequence[ArtefactRecord], now: datetime | None = None,
) -> ReplaceOutcome:
    """Replace every derived row of a call (turns, entities, classifications, provenance, derived artefacts)
    with the given ones, in the caller's transaction: commit once afterwards and a crash leaves either the
    old results or the new, never both. The original audio artefact (and provenance tied to it) is kept.

    A call under legal hold passes the hold on to its new artefacts.
    """
    call = require_call(session, call_id)
    now = now or utcnow()
    kinds = [ArtefactKind(a.kind) for a in artefacts]
    if len(set(kinds)) != len(kinds):
        raise ValueError("one artefact per kind")
    for e in entities:
        if not SAFE_EXPLANATION_KEYS.issuperset(e.explanation):
            raise UnsafeExplanation("entity explanation has keys outside the allow-list")

    old = session.scalars(
        select(Artefact).where(Artefact.call_id == call_id, Artefact.kind.in_(_DERIVED))).all()
    old_keys = {a.blob_key for a in old if a.blob_key and a.deleted_at is None}
    old_ids = [a.id for a in old]
    for model in (Turn, Entity, Classification):
        session.execute(delete(model).where(model.call_id == call_id))
    session.execute(delete(Provenance).where(
        Provenance.call_id == call_id,
        Provenance.artefact_id.is_(None) | Provenance.artefact_id.in_(old_ids)))
    session.execute(delete(Artefact).where(Artefact.id.in_(old_ids)))
    session.flush()

    by_kind: dict[str, Artefact] = {}
    for rec in artefacts:
        if rec.kind not in _DERIVED:
            raise ValueError(f"{rec.kind} is not a derived artefact kind")
        row = new_artefact(call_id, rec, now)
        row.legal_hold = row.legal_hold or call.legal_hold
        session.add(row)
        by_kind[rec.kind] = row
    session.flush()

    session.add_all(Turn(call_id=call_id, idx=t.idx, speaker=t.speaker, channel=t.channel, start_s=t.start_s,
                         end_s=t.end_s, text=t.text, words=list(t.words)) for t in turns)
    session.add_all(Entity(call_id=call_id, turn_idx=e.turn_idx, type=e.type, start=e.start, end=e.end,
                           t_start=e.t_start, t_end=e.t_end, score=e.score, recognizer=e.recognizer,
                           operator=e.operator, category=e.category, explanation=dict(e.explanation))
                    for e in entities)
    for c in classifications:
        art = by_kind.get(c.artefact_kind) if c.artefact_kind else None
        session.add(Classification(call_id=call_id, kind=c.kind, label=c.label, score=c.score,
                                   method=c.method, value=c.value, unit=c.unit,
                                   artefact_id=art.id if art else None))
    for p in provenance:
        prov = p if isinstance(p, ProvenanceRecord) else ProvenanceRecord(p)
        session.add(_provenance_row(call_id, prov, by_kind))
    session.flush()
    new_keys = {a.blob_key for a in by_kind.values() if a.blob_key}
    return ReplaceOutcome(artefact_ids={k: a.id for k, a in by_kind.items()},
                          orphaned_blob_keys=sorted(old_keys - new_keys))


def _provenance_row(call_id: uuid.UUID, rec: ProvenanceRecord, by_kind: dict[str, Artefact]) -> Provenance:
    act = rec.activity
    kind = rec.artefact_kind or next((k for k in act.generated if k in by_kind), None)
    art = by_kind.get(kind) if kind else None
    prov = act.to_prov()
    return Provenance(call_id=call_id, artefact_id=art.id if art else None, stage=act.stage,
                      started_at=act.started_at, ended_at=act.ended_at, agent=prov["agent"],
                      used=prov["used"], generated=prov["generated"])


def delete_turns(session: Session, call_id: uuid.UUID) -> None:
    """Delete the call's transcript turns. Caller commits."""
    session.execute(delete(Turn).where(Turn.call_id == call_id))


def delete_corrections(session: Session, call_id: uuid.UUID) -> None:
    """Delete the corrections attached to the call's turns. Caller commits."""
    session.execute(delete(TurnCorrection).where(TurnCorrection.call_id == call_id))


def delete_entities(session: Session, call_id: uuid.UUID) -> None:
    """Delete the call's entity rows. Caller commits."""
    session.execute(delete(Entity).where(Entity.call_id == call_id))


def delete_classifications(session: Session, call_id: uuid.UUID) -> None:
    """Delete the call's classifications. Caller commits."""
    session.execute(delete(Classification).where(Classification.call_id == call_id))
