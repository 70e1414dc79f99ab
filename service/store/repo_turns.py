"""A call's transcript as stored: its redacted turns, the entities found in them, and the corrections
(GDPR art. 16) attached to them. Reads for review and subject requests; deletion lives in ``repo_results``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import Entity, Turn, TurnCorrection


def turn_at(session: Session, call_id: uuid.UUID, idx: int) -> Turn | None:
    """The call's turn number ``idx``, or None when the call has no such turn."""
    return session.scalars(select(Turn).where(Turn.call_id == call_id, Turn.idx == idx)).first()


def turns_of(session: Session, call_id: uuid.UUID) -> list[Turn]:
    """The call's turns in spoken order."""
    return list(session.scalars(select(Turn).where(Turn.call_id == call_id).order_by(Turn.idx)))


def turn_texts(session: Session, call_id: uuid.UUID) -> list[str]:
    """The redacted text of each turn in spoken order (what a transcript digest covers)."""
    return list(session.scalars(select(Turn.text).where(Turn.call_id == call_id).order_by(Turn.idx)))


def entities_of_turn(session: Session, call_id: uuid.UUID, turn_idx: int) -> list[Entity]:
    """The entities (redactions) found in one turn of the call."""
    return list(session.scalars(select(Entity).where(Entity.call_id == call_id, Entity.turn_idx == turn_idx)))


def corrections_of_call(session: Session, call_id: uuid.UUID) -> list[TurnCorrection]:
    """The call's corrections, oldest first."""
    return list(session.scalars(select(TurnCorrection).where(TurnCorrection.call_id == call_id)
                                .order_by(TurnCorrection.created_at, TurnCorrection.id)))
