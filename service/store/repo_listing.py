"""The QA call list's queries: which calls match a set of filters (one query for both databases), how many,
and what the list shows about each beyond the call row.

Filters arrive as plain values (``CallQuery``); parsing them from a form and deciding who may see restricted
calls is the UI's work (``service.ui.listing``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.store.models import Artefact, Call, CallReview, Classification, Entity
from service.store.search import matching_call_ids

CALL_REASON = "call_reason"  # the classification kind the list shows and filters on


@dataclass(frozen=True)
class CallQuery:
    """What to filter the list on; a field left at its default does not filter.

    ``since``/``until`` bound when the call started (or was received, if its start is unknown):
    ``[since, until)``. ``expiring_before``: live artefacts not on hold that are due before then.
    """

    since: datetime | None = None
    until: datetime | None = None
    queue: str | None = None
    agent_id: str | None = None
    status: str | None = None
    reason: str | None = None
    pii_types: tuple[str, ...] = ()
    on_legal_hold: bool = False
    expiring_before: datetime | None = None
    only_restricted: bool = False
    text: str | None = None  # words searched for in the redacted transcript
    reviewed: bool | None = None  # marked reviewed by a QA reviewer (True), not marked (False)
    min_interruptions: int | None = None  # the call's interruptions, both speakers together, at least this
    min_silence_share: float | None = None  # the call's share of silence (percent), at least this


@dataclass(frozen=True)
class CallSummary:
    """What the list shows of a call besides its own columns."""

    reason: str | None = None  # the first call-reason classification
    pii_types: tuple[str, ...] = ()  # the identifier types found, sorted
    retain_until: datetime | None = None  # the earliest deadline among live artefacts not on hold
    reviewed_by: str | None = None  # who marked the call reviewed (None: not reviewed)


def _when() -> ColumnElement[datetime]:
    return func.coalesce(Call.started_at, Call.created_at)


def _live_artefact(*conds: Any) -> ColumnElement[bool]:
    return exists(select(Artefact.id).where(Artefact.call_id == Call.id, Artefact.deleted_at.is_(None),
                                            *conds))


def _conditions(session: Session, q: CallQuery, include_restricted: bool) -> list[Any]:
    conds: list[Any] = [] if include_restricted else [Call.restricted.is_(False)]
    if q.since is not None:
        conds.append(_when() >= q.since)
    if q.until is not None:
        conds.append(_when() < q.until)
    for column, value in ((Call.queue, q.queue), (Call.agent_id, q.agent_id), (Call.status, q.status)):
        if value:
            conds.append(column == value)
    if q.reason:
        conds.append(exists(select(Classification.id).where(
            Classification.call_id == Call.id, Classification.kind == CALL_REASON,
            Classification.label == q.reason)))
    if q.pii_types:
        conds.append(exists(select(Entity.id).where(Entity.call_id == Call.id, Entity.type.in_(q.pii_types))))
    if q.on_legal_hold:
        conds.append(or_(Call.legal_hold.is_(True), _live_artefact(Artefact.legal_hold.is_(True))))
    if q.expiring_before is not None:
        conds.append(and_(Call.legal_hold.is_(False), _live_artefact(
            Artefact.legal_hold.is_(False), Artefact.retain_until < q.expiring_before)))
    if q.only_restricted:
        conds.append(Call.restricted.is_(True))
    conds += _qa_conditions(q)
    if q.text:
        matching = matching_call_ids(session, q.text)
        if matching is not None:
            conds.append(Call.id.in_(matching))
    return conds


def _measure(kind: str) -> Any:
    """The call's measure of ``kind`` summed over its speakers (0 when the call has none)."""
    return select(func.coalesce(func.sum(Classification.value), 0.0)).where(
        Classification.call_id == Call.id, Classification.kind == kind).scalar_subquery()


def _qa_conditions(q: CallQuery) -> list[Any]:
    conds: list[Any] = []
    reviewed = exists(select(CallReview.id).where(CallReview.call_id == Call.id))
    if q.reviewed is True:
        conds.append(reviewed)
    elif q.reviewed is False:
        conds.append(~reviewed)
    if q.min_interruptions is not None:
        conds.append(_measure("interruptions") >= q.min_interruptions)
    if q.min_silence_share is not None:
        conds.append(_measure("silence_share") >= q.min_silence_share)
    return conds


def list_calls(session: Session, query: CallQuery | None = None, *, include_restricted: bool = False,
               limit: int = 50, offset: int = 0) -> list[Call]:
    """The calls matching ``query``, newest first (by start, else receipt); restricted calls (GDPR art. 18)
    are left out unless ``include_restricted``."""
    conds = _conditions(session, query or CallQuery(), include_restricted)
    return list(session.scalars(select(Call).where(*conds).order_by(_when().desc(), Call.id)
                                .limit(limit).offset(offset)))


def count_calls(session: Session, query: CallQuery | None = None, *, include_restricted: bool = False) -> int:
    """How many calls ``list_calls`` would return without a limit."""
    conds = _conditions(session, query or CallQuery(), include_restricted)
    return int(session.scalar(select(func.count()).select_from(Call).where(*conds)) or 0)


def call_summaries(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, CallSummary]:
    """A ``CallSummary`` for each of ``ids`` (four queries for the whole page, not four per call)."""
    if not ids:
        return {}
    reasons: dict[uuid.UUID, str] = {}
    for call_id, label in session.execute(
            select(Classification.call_id, Classification.label).where(
                Classification.call_id.in_(ids), Classification.kind == CALL_REASON).order_by(Classification.id)):
        reasons.setdefault(call_id, label)
    types: dict[uuid.UUID, set[str]] = {}
    for call_id, etype in session.execute(select(Entity.call_id, Entity.type).where(Entity.call_id.in_(ids))
                                          .distinct()):
        types.setdefault(call_id, set()).add(etype)
    until: dict[uuid.UUID, datetime | None] = {}
    for call_id, earliest in session.execute(
            select(Artefact.call_id, func.min(Artefact.retain_until)).where(
                Artefact.call_id.in_(ids), Artefact.deleted_at.is_(None), Artefact.legal_hold.is_(False))
            .group_by(Artefact.call_id)):
        until[call_id] = earliest
    reviewers: dict[uuid.UUID, str] = {}
    for call_id, reviewer in session.execute(select(CallReview.call_id, CallReview.reviewer)
                                             .where(CallReview.call_id.in_(ids))):
        reviewers[call_id] = reviewer
    return {i: CallSummary(reason=reasons.get(i), pii_types=tuple(sorted(types.get(i, ()))),
                           retain_until=until.get(i), reviewed_by=reviewers.get(i)) for i in ids}


def _visible(include_restricted: bool) -> list[ColumnElement[bool]]:
    return [] if include_restricted else [Call.restricted.is_(False)]


def _distinct(session: Session, column: InstrumentedAttribute[str | None], include_restricted: bool
              ) -> list[str]:
    q = select(column).where(column.is_not(None), *_visible(include_restricted)).distinct().order_by(column)
    return [v for v in session.scalars(q) if v]


def listed_queues(session: Session, *, include_restricted: bool) -> list[str]:
    """The queues of the calls this reader may see, sorted."""
    return _distinct(session, Call.queue, include_restricted)


def listed_agents(session: Session, *, include_restricted: bool) -> list[str]:
    """The agent ids of the calls this reader may see, sorted."""
    return _distinct(session, Call.agent_id, include_restricted)


def listed_reasons(session: Session, *, include_restricted: bool) -> list[str]:
    """The call reasons of the calls this reader may see, sorted."""
    return list(session.scalars(select(Classification.label).join(Call, Call.id == Classification.call_id)
                                .where(Classification.kind == CALL_REASON, *_visible(include_restricted))
                                .distinct().order_by(Classification.label)))
