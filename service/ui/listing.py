"""The QA call list: filters parsed from the query string, one query for both databases, one page of rows.

Filters are parsed leniently (a bad date is reported and ignored, not a 422 page) because they come from a
form a person is typing into. Restricted calls (GDPR art. 18) are excluded unless the caller may see them.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from service.calls.call_urls import call_url
from service.store.kinds import CallStatus
from service.store.models import Artefact, Call, CallReview, Classification, Entity
from service.store.search import matching_call_ids
from service.ui.formatting import day_bounds

PAGE_SIZE = 25
EXPIRING_DAYS = 30
RETENTION_STATES = ("legal_hold", "expiring", "restricted")
REVIEWED_STATES = ("yes", "no")
_TEXT_FIELDS = ("queue", "agent", "reason", "status", "retention", "q", "reviewed", "interruptions", "silence")


@dataclass(frozen=True)
class CallFilters:
    date_from: date | None = None
    date_to: date | None = None
    queue: str | None = None
    agent: str | None = None
    reason: str | None = None
    pii: tuple[str, ...] = ()
    status: str | None = None
    retention: str | None = None
    q: str | None = None
    bad_date: bool = False
    # The QA workbench: reviewed or not, and conversation measures (kept as typed, so the form shows them).
    reviewed: str | None = None
    interruptions: str | None = None  # at least this many interruptions (both speakers together)
    silence: str | None = None  # at least this share of silence, percent
    bad_number: bool = False

    @property
    def min_interruptions(self) -> int | None:
        return _number(self.interruptions, 1000, whole=True)  # type: ignore[return-value]

    @property
    def min_silence(self) -> float | None:
        return _number(self.silence, 100)

    @classmethod
    def from_query(cls, params: Any) -> CallFilters:
        """From a Starlette ``QueryParams`` (or any mapping with ``getlist``); blanks mean "any"."""
        def text(name: str) -> str | None:
            value = (params.get(name) or "").strip()
            return value[:200] or None

        dates, bad = {}, False
        for name in ("date_from", "date_to"):
            raw = text(name)
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                dates[name], bad = None, True
        status = text("status")
        retention = text("retention")
        reviewed = text("reviewed")
        interruptions, silence = text("interruptions"), text("silence")
        bad_number = any(v is not None and _number(v, top, whole=whole) is None
                         for v, top, whole in ((interruptions, 1000, True), (silence, 100, False)))
        return cls(date_from=dates["date_from"], date_to=dates["date_to"], queue=text("queue"),
                   agent=text("agent"), reason=text("reason"),
                   pii=tuple(sorted({p for p in params.getlist("pii") if p}))[:20],
                   status=status if status in {s.value for s in CallStatus} else None,
                   retention=retention if retention in RETENTION_STATES else None, q=text("q"), bad_date=bad,
                   reviewed=reviewed if reviewed in REVIEWED_STATES else None, interruptions=interruptions,
                   silence=silence, bad_number=bad_number)

    def used(self) -> list[str]:
        """Names (never values) of the filters in use: what the audit entry may say about a search."""
        names = [n for n in ("date_from", "date_to", *_TEXT_FIELDS) if getattr(self, n)]
        return names + (["pii"] if self.pii else [])

    def query_string(self, **override: Any) -> str:
        pairs: list[tuple[str, str]] = []
        for name in ("date_from", "date_to", *_TEXT_FIELDS):
            value = getattr(self, name)
            if value:
                pairs.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        pairs += [("pii", p) for p in self.pii]
        pairs += [(k, str(v)) for k, v in override.items() if v is not None]
        return urlencode(pairs)


@dataclass(frozen=True)
class CallRow:
    external_id: str
    url: str  # names the telephony client: call ids are unique per client only
    when: datetime
    queue: str | None
    agent_id: str | None
    duration_s: float | None
    status: str
    restricted: bool
    legal_hold: bool
    reason: str | None = None
    pii_types: tuple[str, ...] = ()
    retain_until: datetime | None = None  # the earliest deadline among live artefacts not on hold
    reviewed_by: str | None = None  # who marked the call reviewed (None: not reviewed)


@dataclass(frozen=True)
class CallPage:
    rows: list[CallRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class FilterOptions:
    queues: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _when() -> ColumnElement[datetime]:
    return func.coalesce(Call.started_at, Call.created_at)


def _live_artefact(*conds: Any) -> Any:
    return exists(select(Artefact.id).where(Artefact.call_id == Call.id, Artefact.deleted_at.is_(None),
                                            *conds))


def _conditions(session: Session, f: CallFilters, include_restricted: bool, now: datetime) -> list[Any]:
    conds: list[Any] = [] if include_restricted else [Call.restricted.is_(False)]
    lo, hi = day_bounds(f.date_from, f.date_to)
    if lo is not None:
        conds.append(_when() >= lo)
    if hi is not None:
        conds.append(_when() < hi)
    for column, value in ((Call.queue, f.queue), (Call.agent_id, f.agent), (Call.status, f.status)):
        if value:
            conds.append(column == value)
    if f.reason:
        conds.append(exists(select(Classification.id).where(
            Classification.call_id == Call.id, Classification.kind == "call_reason",
            Classification.label == f.reason)))
    if f.pii:
        conds.append(exists(select(Entity.id).where(Entity.call_id == Call.id, Entity.type.in_(f.pii))))
    if f.retention == "legal_hold":
        conds.append(or_(Call.legal_hold.is_(True), _live_artefact(Artefact.legal_hold.is_(True))))
    elif f.retention == "expiring":
        conds.append(and_(Call.legal_hold.is_(False), _live_artefact(
            Artefact.legal_hold.is_(False), Artefact.retain_until < now + timedelta(days=EXPIRING_DAYS))))
    elif f.retention == "restricted" and include_restricted:
        conds.append(Call.restricted.is_(True))
    conds += _qa_conditions(f)
    if f.q:
        matching = matching_call_ids(session, f.q)
        if matching is not None:
            conds.append(Call.id.in_(matching))
    return conds


def search_calls(session: Session, f: CallFilters, *, include_restricted: bool, page: int, now: datetime,
                 page_size: int = PAGE_SIZE) -> CallPage:
    """One page of calls matching ``f``, newest first, with what the list shows about each."""
    conds = _conditions(session, f, include_restricted, now)
    total = int(session.scalar(select(func.count()).select_from(Call).where(*conds)) or 0)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    calls = list(session.scalars(select(Call).where(*conds).order_by(_when().desc(), Call.id)
                                 .limit(page_size).offset((page - 1) * page_size)))
    extras = _row_extras(session, [c.id for c in calls])
    rows = [CallRow(external_id=c.external_id, url=call_url("/ui/calls", c.external_id, c.client),
                    when=c.started_at or c.created_at, queue=c.queue,
                    agent_id=c.agent_id, duration_s=c.duration_s, status=c.status, restricted=c.restricted,
                    legal_hold=c.legal_hold, **extras.get(c.id, {})) for c in calls]
    return CallPage(rows=rows, total=total, page=page, pages=pages)


def _row_extras(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    out: dict[uuid.UUID, dict[str, Any]] = {i: {} for i in ids}
    if not ids:
        return out
    reasons = select(Classification.call_id, Classification.label).where(
        Classification.call_id.in_(ids), Classification.kind == "call_reason").order_by(Classification.id)
    for call_id, label in session.execute(reasons):
        out[call_id].setdefault("reason", label)
    types: dict[uuid.UUID, set[str]] = {}
    for call_id, etype in session.execute(select(Entity.call_id, Entity.type).where(Entity.call_id.in_(ids))
                                          .distinct()):
        types.setdefault(call_id, set()).add(etype)
    for call_id, found in types.items():
        out[call_id]["pii_types"] = tuple(sorted(found))
    for call_id, reviewer in session.execute(select(CallReview.call_id, CallReview.reviewer)
                                             .where(CallReview.call_id.in_(ids))):
        out[call_id]["reviewed_by"] = reviewer
    for call_id, until in session.execute(
            select(Artefact.call_id, func.min(Artefact.retain_until)).where(
                Artefact.call_id.in_(ids), Artefact.deleted_at.is_(None), Artefact.legal_hold.is_(False))
            .group_by(Artefact.call_id)):
        out[call_id]["retain_until"] = until
    return out


def _number(raw: str | None, top: float, *, whole: bool = False) -> float | None:
    """``raw`` as a number in ``0..top`` (a whole one if ``whole``); None if blank or not such a number."""
    if raw is None:
        return None
    try:
        value = float(raw.replace(",", "."))  # a Finnish keyboard types 12,5
    except ValueError:
        return None
    if not (0 <= value <= top) or (whole and not value.is_integer()):
        return None
    return int(value) if whole else value


def _measure(kind: str) -> Any:
    """The call's measure of ``kind`` summed over its speakers (0 when the call has none)."""
    return select(func.coalesce(func.sum(Classification.value), 0.0)).where(
        Classification.call_id == Call.id, Classification.kind == kind).scalar_subquery()


def _qa_conditions(f: CallFilters) -> list[Any]:
    conds: list[Any] = []
    reviewed = exists(select(CallReview.id).where(CallReview.call_id == Call.id))
    if f.reviewed == "yes":
        conds.append(reviewed)
    elif f.reviewed == "no":
        conds.append(~reviewed)
    if f.min_interruptions is not None:
        conds.append(_measure("interruptions") >= f.min_interruptions)
    if f.min_silence is not None:
        conds.append(_measure("silence_share") >= f.min_silence)
    return conds


def filter_options(session: Session, *, include_restricted: bool) -> FilterOptions:
    """The values the list's drop-downs offer: those present in calls this reader may see."""
    visible = [] if include_restricted else [Call.restricted.is_(False)]

    def distinct(column: Any) -> list[str]:
        q = select(column).where(column.is_not(None), *visible).distinct().order_by(column)
        return [v for v in session.scalars(q) if v]

    reasons = session.scalars(select(Classification.label).join(Call, Call.id == Classification.call_id)
                              .where(Classification.kind == "call_reason", *visible).distinct()
                              .order_by(Classification.label))
    return FilterOptions(queues=distinct(Call.queue), agents=distinct(Call.agent_id), reasons=list(reasons))


def page_number(params: Mapping[str, str]) -> int:
    raw = params.get("page") or "1"
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1
