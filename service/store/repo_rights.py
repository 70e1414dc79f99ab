"""Rows of requests said in calls: the privacy officer's pending items and the verified marketing choices.

Deciding what an item becomes (a subject request, a marketing choice) is ``service.privacy.rights_items``'s
work; this module only reads and writes the rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from service.store.models import Call, Classification, MarketingChoice, RightsItem, SubjectTerm
from service.store.records import RightsItemRecord
from service.store.rows import rowcount

RIGHTS_CLASSIFICATION = "rights_request"  # the classification kind of an item (``service.jobs.persist``)


@dataclass(frozen=True)
class ItemRow:
    """An item with the call it was said in (its client and telephony call id, for the officer's link)."""

    item: RightsItem
    client: str
    external_id: str


def replace_rights_items(session: Session, call_id: uuid.UUID, items: Sequence[RightsItemRecord],
                         now: datetime) -> int:
    """Replace the call's *pending* items with ``items`` (a pipeline re-run). Decided items stay: an officer's
    decision is not undone by re-processing, and a re-found request already decided is not queued again.
    Returns how many were added. Caller commits."""
    session.execute(delete(RightsItem).where(RightsItem.call_id == call_id, RightsItem.status == "pending"))
    decided = {(k, t) for k, t in session.execute(
        select(RightsItem.kind, RightsItem.turn_idx).where(RightsItem.call_id == call_id))}
    new = [r for r in items if (r.kind, r.turn_idx) not in decided]
    session.add_all(RightsItem(call_id=call_id, kind=r.kind, channel=r.channel, turn_idx=r.turn_idx,
                               t_start=r.t_start, t_end=r.t_end, cues=list(r.cues), score=r.score,
                               method=r.method, status="pending", created_at=now) for r in new)
    session.flush()
    return len(new)


def list_items(session: Session, *, status: str | None = None, call_id: uuid.UUID | None = None,
               limit: int = 50, offset: int = 0) -> list[ItemRow]:
    """Items oldest first (the queue's order), of ``status`` / ``call_id`` only if given."""
    q = select(RightsItem, Call.client, Call.external_id).join(Call, Call.id == RightsItem.call_id)
    if status is not None:
        q = q.where(RightsItem.status == status)
    if call_id is not None:
        q = q.where(RightsItem.call_id == call_id)
    q = q.order_by(RightsItem.created_at, RightsItem.id).limit(limit).offset(offset)
    return [ItemRow(item, client, ext) for item, client, ext in session.execute(q)]


def item_row(session: Session, item_id: int, *, for_update: bool = False) -> ItemRow | None:
    q = (select(RightsItem, Call.client, Call.external_id).join(Call, Call.id == RightsItem.call_id)
         .where(RightsItem.id == item_id))
    if for_update:
        q = q.with_for_update(of=RightsItem)
    row = session.execute(q).first()
    return ItemRow(row[0], row[1], row[2]) if row else None


def delete_rights_items(session: Session, call_id: uuid.UUID) -> None:
    """Delete every item of the call and its ``rights_request`` classifications (the call's ``rights_items``
    artefact expired). Caller commits."""
    session.execute(delete(RightsItem).where(RightsItem.call_id == call_id))
    session.execute(delete(Classification).where(Classification.call_id == call_id,
                                                 Classification.kind == RIGHTS_CLASSIFICATION))


def party_terms(session: Session, call_id: uuid.UUID) -> list[tuple[str, str]]:
    """``(kind, hmac)`` of the call's metadata (``party``) index terms: who called, keyed."""
    return [(k, h) for k, h in session.execute(
        select(SubjectTerm.kind, SubjectTerm.hmac).where(SubjectTerm.call_id == call_id,
                                                         SubjectTerm.role == "party").order_by(SubjectTerm.id))]


def add_marketing_choice(session: Session, choice: MarketingChoice) -> MarketingChoice:
    session.add(choice)
    session.flush()
    return choice


def choices_of_call(session: Session, call_id: uuid.UUID) -> list[MarketingChoice]:
    return list(session.scalars(select(MarketingChoice).where(MarketingChoice.call_id == call_id)
                                .order_by(MarketingChoice.id)))


def choices_since(session: Session, since: datetime, *, after_id: int = 0, limit: int = 100,
                  status: str = "verified") -> list[MarketingChoice]:
    """Choices verified at or after ``since``, in (verified_at, id) order; ``after_id`` pages within it: the
    next page starts after the last row's ``(verified_at, id)``."""
    q = select(MarketingChoice).where(MarketingChoice.status == status, MarketingChoice.verified_at >= since)
    if after_id:
        last = session.get(MarketingChoice, after_id)
        if last is not None:
            q = q.where(tuple_(MarketingChoice.verified_at, MarketingChoice.id) > (last.verified_at, last.id))
    return list(session.scalars(q.order_by(MarketingChoice.verified_at, MarketingChoice.id).limit(limit)))


def delete_choices_before(session: Session, cutoff: datetime) -> int:
    """Delete the choices verified before ``cutoff``; returns how many went. Caller commits."""
    return rowcount(session.execute(delete(MarketingChoice).where(MarketingChoice.verified_at < cutoff)))


def get_choice(session: Session, choice_id: int) -> MarketingChoice | None:
    return session.get(MarketingChoice, choice_id)
