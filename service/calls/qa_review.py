"""The QA reviewer's marks on a call: "reviewed" (who, when, a short comment) and "not an identifier" reports.

Both are review records beside the pipeline's results, never changes to them:

- a *reviewed* mark is one row per call (``call_reviews``); unmarking deletes it and the audit log keeps the
  history (who marked, who unmarked, when). The comment is the reviewer's own short note, bounded in length;
  it is not copied into the audit log, which says only whether there was one;
- an *over-redaction* report says a chip hid something that is not an identifier. It does not unredact
  anything (the value is gone from the transcript and the audio by design); it is stored with a provenance
  row whose agent is the person, audited, and shown on the chip, so that a privacy officer can decide whether
  the recognizer needs tuning. The reason is a closed vocabulary (``OVER_REDACTION_REASONS``): free text
  beside a redaction invites the reviewer to type what they think was hidden.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.errors import Conflict, Invalid
from service.privacy import audit
from service.store.models import OVER_REDACTION_REASONS, CallReview, Provenance, RedactionReport
from service.store.repo_qa import call_review, entity_at, redaction_report_exists, redaction_reports

COMMENT_MAX = 500
OVER_REDACTION = "over_redaction"
OVER_REDACTION_STAGE = "review:over_redaction"


class CommentTooLong(Invalid):
    code = "comment_too_long"


class UnknownReason(Invalid):
    code = "unknown_reason"


class NoSuchRedaction(Invalid):
    code = "no_such_redaction"


class AlreadyReported(Conflict):
    code = "already_reported"


@dataclass(frozen=True)
class ReviewMark:
    reviewer: str
    role: str
    at: datetime
    comment: str | None


@dataclass(frozen=True)
class OverRedaction:
    """A "not an identifier" report on the chip at ``(turn, start)``."""

    id: int
    turn: int
    start: int
    end: int
    type: str
    reason: str
    reviewer: str
    at: datetime


def mark_reviewed(session: Session, call_id: uuid.UUID, *, reviewer: str, role: str, comment: str | None,
                  now: datetime | None = None) -> ReviewMark:
    """Mark the call reviewed (or replace the mark's comment); audited, in the caller's transaction."""
    now = now or utcnow()
    text = (comment or "").strip() or None
    if text is not None and len(text) > COMMENT_MAX:
        raise CommentTooLong(f"the comment is longer than {COMMENT_MAX} characters")
    row = call_review(session, call_id)
    if row is None:
        row = CallReview(call_id=call_id)
        session.add(row)
    row.reviewer, row.role, row.reviewed_at, row.comment = reviewer, role, now, text
    audit.record(session, reviewer, role, "review.mark", "call", str(call_id), {"comment": text is not None},
                 now=now)
    session.flush()
    return ReviewMark(reviewer, role, now, text)


def unmark_reviewed(session: Session, call_id: uuid.UUID, *, reviewer: str, role: str,
                    now: datetime | None = None) -> bool:
    """Remove the reviewed mark; False if there was none (still audited: the attempt is an action)."""
    row = call_review(session, call_id)
    if row is not None:
        session.delete(row)
    audit.record(session, reviewer, role, "review.unmark", "call", str(call_id), {"was_marked": row is not None},
                 now=now)
    session.flush()
    return row is not None


def review_mark(session: Session, call_id: uuid.UUID) -> ReviewMark | None:
    row = call_review(session, call_id)
    return ReviewMark(row.reviewer, row.role, row.reviewed_at, row.comment) if row else None


def report_over_redaction(session: Session, call_id: uuid.UUID, *, turn_idx: int, start: int, reason: str,
                          reviewer: str, role: str, now: datetime | None = None) -> OverRedaction:
    """Record that the redaction at ``(turn_idx, start)`` is not an identifier. Changes no text or audio."""
    now = now or utcnow()
    if reason not in OVER_REDACTION_REASONS:
        raise UnknownReason("unknown reason")
    entity = entity_at(session, call_id, turn_idx, start)
    if entity is None:
        raise NoSuchRedaction("no redaction at that place")
    if redaction_report_exists(session, call_id, OVER_REDACTION, turn_idx, start):
        raise AlreadyReported("this redaction is already reported")
    row = RedactionReport(call_id=call_id, kind=OVER_REDACTION, turn_idx=turn_idx, start=start, end=entity.end,
                          entity_type=entity.type, reason=reason, reviewer=reviewer, role=role, created_at=now)
    session.add(row)
    session.flush()
    session.add(Provenance(call_id=call_id, artefact_id=None, stage=OVER_REDACTION_STAGE, started_at=now,
                           ended_at=now, agent={"name": reviewer, "kind": "person", "role": role},
                           used={"entity": str(entity.id)}, generated={"report": str(row.id)}))
    audit.record(session, reviewer, role, "review.over_redaction", "call", str(call_id),
                 {"turn": turn_idx, "type": entity.type, "reason": reason, "report_id": row.id}, now=now)
    session.flush()
    return _report(row)


def over_redactions(session: Session, call_id: uuid.UUID) -> list[OverRedaction]:
    return [_report(r) for r in redaction_reports(session, call_id, OVER_REDACTION)]


def _report(r: RedactionReport) -> OverRedaction:
    return OverRedaction(r.id, r.turn_idx, r.start, r.end, r.entity_type, r.reason, r.reviewer, r.created_at)
