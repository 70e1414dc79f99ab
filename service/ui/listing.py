"""The QA call list: filters parsed from the query string, one query for both databases, one page of rows.

Filters are parsed leniently (a bad date is reported and ignored, not a 422 page) because they come from a
form a person is typing into. Restricted calls (GDPR art. 18) are excluded unless the caller may see them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from service.calls.call_urls import call_url
from service.store.kinds import CallStatus
from service.store.repo_listing import (
    CallQuery,
    call_summaries,
    count_calls,
    list_calls,
    listed_agents,
    listed_queues,
    listed_reasons,
)
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


def _query(f: CallFilters, include_restricted: bool, now: datetime) -> CallQuery:
    """The store's query for ``f``: local days to UTC instants, the retention state to its condition."""
    since, until = day_bounds(f.date_from, f.date_to)
    return CallQuery(since=since, until=until, queue=f.queue, agent_id=f.agent, status=f.status,
                     reason=f.reason, pii_types=f.pii, on_legal_hold=f.retention == "legal_hold",
                     expiring_before=now + timedelta(days=EXPIRING_DAYS) if f.retention == "expiring" else None,
                     only_restricted=f.retention == "restricted" and include_restricted, text=f.q,
                     reviewed={"yes": True, "no": False}.get(f.reviewed or ""),
                     min_interruptions=f.min_interruptions, min_silence_share=f.min_silence)


def search_calls(session: Session, f: CallFilters, *, include_restricted: bool, page: int, now: datetime,
                 page_size: int = PAGE_SIZE) -> CallPage:
    """One page of calls matching ``f``, newest first, with what the list shows about each."""
    query = _query(f, include_restricted, now)
    total = count_calls(session, query, include_restricted=include_restricted)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    calls = list_calls(session, query, include_restricted=include_restricted, limit=page_size,
                       offset=(page - 1) * page_size)
    summaries = call_summaries(session, [c.id for c in calls])
    rows = [CallRow(external_id=c.external_id, url=call_url("/ui/calls", c.external_id, c.client),
                    when=c.started_at or c.created_at, queue=c.queue,
                    agent_id=c.agent_id, duration_s=c.duration_s, status=c.status, restricted=c.restricted,
                    legal_hold=c.legal_hold, reason=summaries[c.id].reason,
                    pii_types=summaries[c.id].pii_types, retain_until=summaries[c.id].retain_until,
                    reviewed_by=summaries[c.id].reviewed_by)
            for c in calls]
    return CallPage(rows=rows, total=total, page=page, pages=pages)


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


def filter_options(session: Session, *, include_restricted: bool) -> FilterOptions:
    """The values the list's drop-downs offer: those present in calls this reader may see."""
    return FilterOptions(queues=listed_queues(session, include_restricted=include_restricted),
                         agents=listed_agents(session, include_restricted=include_restricted),
                         reasons=listed_reasons(session, include_restricted=include_restricted))


def page_number(params: Mapping[str, str]) -> int:
    raw = params.get("page") or "1"
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1
