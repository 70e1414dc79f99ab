"""Manual legal holds with a stated reason (GDPR art. 17(3)(e): data kept for legal claims).

A hold is put on or lifted by a person (an admin or a privacy officer) who says why; the reason is stored
on the call, shown on the call page and written to the audit log, so it may not quote an identifier. Only
the call's own (manual) flag changes: holds artefacts carry from a retention policy stay when the manual
hold is lifted (``service.privacy.retention.set_legal_hold``, security review #17).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.errors import Invalid, NotFound
from service.privacy.retention import set_legal_hold
from service.privacy.subjects import check_free_text
from service.store.models import Call

MIN_REASON, MAX_REASON = 3, 500


class InvalidHoldReason(Invalid):
    """The reason is missing, too long (``detail`` "length"), or quotes an identifier ("identifier")."""

    def __init__(self, message: str, *, detail: str = "length") -> None:
        super().__init__(message, code="invalid_hold_reason")
        self.detail = detail


class HoldCallNotFound(NotFound):
    """No call with that id."""


@dataclass(frozen=True)
class HoldState:
    """A call's holds as readers see them: the manual one (with who, when and why) and any policy hold."""

    call_id: str
    client: str
    legal_hold: bool
    policy_hold: bool
    reason: str | None
    by: str | None
    at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {"call_id": self.call_id, "client": self.client, "legal_hold": self.legal_hold,
                "policy_hold": self.policy_hold, "reason": self.reason, "by": self.by,
                "at": self.at.isoformat() if self.at else None}


def hold_state(call: Call) -> HoldState:
    policy = any(a.legal_hold for a in call.artefacts if a.deleted_at is None)
    return HoldState(call_id=call.external_id, client=call.client, legal_hold=call.legal_hold,
                     policy_hold=policy, reason=call.legal_hold_reason, by=call.legal_hold_by,
                     at=call.legal_hold_at)


def check_reason(reason: str | None) -> str:
    """The stripped reason, or ``InvalidHoldReason``."""
    reason = (reason or "").strip()
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise InvalidHoldReason(f"give a reason of {MIN_REASON} to {MAX_REASON} characters")
    try:
        check_free_text("reason", reason, [])
    except Invalid:
        raise InvalidHoldReason("the reason seems to contain an identifier; leave identifiers out",
                                detail="identifier") from None
    return reason


def set_hold(session: Session, call_id: uuid.UUID, on: bool, *, reason: str | None, actor: str, role: str,
             now: datetime | None = None) -> HoldState:
    """Put the manual hold on (or lift it) with a reason; audited. Caller commits.

    Raises ``InvalidHoldReason`` before anything changes, ``HoldCallNotFound`` for an unknown call."""
    text = check_reason(reason)
    now = now or utcnow()
    call = set_legal_hold(session, call_id, on, actor=actor, role=role, now=now,
                          detail={"reason": text})
    if call is None:
        raise HoldCallNotFound("unknown call id")
    call.legal_hold_reason, call.legal_hold_by, call.legal_hold_at = (text, actor, now) if on else (None, None, None)
    call.updated_at = now
    session.flush()
    session.refresh(call, ["artefacts"])
    return hold_state(call)
