"""Attaching a call to a subject request by hand, when the index cannot find it.

The index holds what the ASR heard: a henkilötunnus misheard in a call is not found by its real value
(review Journey 3). The officer who has listened to the call attaches it by its telephony call id and says
why; from then on it counts as the person's own call (``party``) for that request, so the export hands it
out and the erasure deletes it. The reason is stored in the request and audited, so it may not quote an
identifier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.errors import Conflict
from service.privacy import audit
from service.privacy.subjects import PARTY, InvalidSubjectRequest, check_free_text, get_request
from service.store.models import Call, SubjectRequest

ATTACHABLE = {("access", "completed"), ("access", "open"), ("erasure", "pending_approval"),
              ("rectification", "open"), ("rectification", "completed")}
MANUAL = "manual"


class CannotAttach(Conflict, ValueError):
    """The request is past the point where a call can be added (erased, rejected, a restriction done)."""

    code = "cannot_attach"


def attach_call(session: Session, request_id: Any, call: Call, *, reason: str | None, actor: str, role: str,
                now: datetime | None = None) -> SubjectRequest:
    """Add ``call`` to the request as the person's own call, with the officer's reason. Caller commits.

    Raises ``InvalidSubjectRequest`` (``invalid_reason``, ``identifier_in_text``) or ``CannotAttach``."""
    req = get_request(session, request_id)
    if (req.kind, req.status) not in ATTACHABLE:
        raise CannotAttach("calls can be attached only to an access or rectification request, or an erasure "
                           "waiting for approval")
    text = (reason or "").strip()
    if not 3 <= len(text) <= 500:
        raise InvalidSubjectRequest("invalid_reason", "give a reason of 3 to 500 characters", detail="reason")
    check_free_text("reason", text, [])
    now = now or utcnow()
    entry = {"id": str(call.id), "call_id": call.external_id, "matched_by": [MANUAL], "match": PARTY,
             "attached": {"by": actor, "at": now.isoformat(), "reason": text}}
    others = [m for m in req.matched_calls if m["id"] != str(call.id)]
    was_matched = len(others) != len(req.matched_calls)
    req.matched_calls = [*others, entry]  # a new list: JSON columns notice only assignment
    req.updated_at = now
    audit.record(session, actor, role, "subject.attach_call", "call", str(call.id),
                 {"request": str(req.id), "reason": text, "was_matched": was_matched},
                 now=now)
    return req

