"""The QA workbench's rows: a call's reviewed mark, its scorecard answers, and reviewers' redaction reports."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.models import CallReview, Entity, RedactionReport, ScorecardAnswer


def call_review(session: Session, call_id: uuid.UUID) -> CallReview | None:
    """The call's reviewed mark, if a reviewer has set one (one per call)."""
    return session.scalars(select(CallReview).where(CallReview.call_id == call_id)).first()


def scorecard_answer(session: Session, call_id: uuid.UUID) -> ScorecardAnswer | None:
    """The call's filled-in scorecard, if any (one per call)."""
    return session.scalars(select(ScorecardAnswer).where(ScorecardAnswer.call_id == call_id)).first()


def entity_at(session: Session, call_id: uuid.UUID, turn_idx: int, start: int) -> Entity | None:
    """The redaction that starts at ``start`` in turn ``turn_idx``."""
    return session.scalars(select(Entity).where(
        Entity.call_id == call_id, Entity.turn_idx == turn_idx, Entity.start == start)).first()


def redaction_report_exists(session: Session, call_id: uuid.UUID, kind: str, turn_idx: int, start: int) -> bool:
    """Whether a report of ``kind`` already names the redaction at ``(turn_idx, start)``."""
    return session.scalars(select(RedactionReport.id).where(
        RedactionReport.call_id == call_id, RedactionReport.kind == kind,
        RedactionReport.turn_idx == turn_idx, RedactionReport.start == start)).first() is not None


def redaction_reports(session: Session, call_id: uuid.UUID, kind: str) -> list[RedactionReport]:
    """The call's reports of ``kind``, oldest first."""
    return list(session.scalars(select(RedactionReport).where(
        RedactionReport.call_id == call_id, RedactionReport.kind == kind).order_by(RedactionReport.id)))

