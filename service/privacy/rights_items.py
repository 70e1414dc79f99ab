"""The privacy officer's queue of requests said in calls (issue 14): list, confirm, reject.

The pipeline only *finds* a request ("poistakaa minun tiedot", "en halua enää puhelinmyyntiä"); nothing is
acted on until a privacy officer confirms it:

- a rights request (access, erasure, rectification, restriction, portability) becomes a subject request
  through the existing flow (``subjects.open_request``), linked to the call, identifying the person by the
  call's keyed *party* terms (caller, callee or customer number from the call's metadata, never what was
  spoken), with the verification method and evidence reference every subject request demands. That flow
  decides what follows: an access request is answered by its export, an erasure waits for a second officer;
- a marketing prohibition or consent becomes a verified ``MarketingChoice`` register entry, which the
  CRM reads through the completion callback, a ``marketing_choice.verified`` callback and the API;
- an objection is recorded as confirmed for the officer to handle (no automatic step exists for it).

A rejection needs a reason. Every step is audited; free text is refused when it quotes an identifier.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.blobstore import BlobStore
from service.platform.errors import Conflict, Invalid, NotFound
from service.privacy import audit
from service.privacy.subjects import check_free_text, check_verification, open_request
from service.store import repo_rights
from service.store.models import MarketingChoice, RightsItem

STATUSES = ("pending", "confirmed", "rejected")
# The subject-request kind a confirmed rights item opens. Portability is answered with the access export
# (issue 5's machine-readable JSON), so it opens an access request whose note says so.
REQUEST_KIND = {"access": "access", "erasure": "erasure", "rectification": "rectification",
                "restriction": "restriction", "portability": "access"}
MARKETING_CHOICE = {"marketing_prohibition": "prohibit", "marketing_consent": "consent"}
MIN_REASON = 3


class ItemNotFound(NotFound):
    code = "item_not_found"


class ItemDecided(Conflict, ValueError):
    """The item was already confirmed or rejected: a decision is not taken twice."""

    code = "item_decided"


class InvalidDecision(Invalid):
    code = "invalid_decision"


class NoCallerIdentifiers(Invalid):
    """The call's metadata named nobody (no caller, callee or customer number): the request cannot say whose."""

    code = "no_caller_identifiers"


@dataclass(frozen=True)
class ItemView:
    """One queue entry as the UI, API and CLI show it: evidence, never an identifier."""

    id: int
    call_id: uuid.UUID
    client: str
    external_id: str
    kind: str
    channel: str | None
    turn: int
    t_start: float
    t_end: float
    cues: tuple[str, ...]
    score: float
    method: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    request_id: uuid.UUID | None

    @classmethod
    def of(cls, row: repo_rights.ItemRow) -> ItemView:
        i = row.item
        return cls(id=i.id, call_id=i.call_id, client=row.client, external_id=row.external_id, kind=i.kind,
                   channel=i.channel, turn=i.turn_idx, t_start=i.t_start, t_end=i.t_end,
                   cues=tuple(i.cues), score=i.score, method=i.method, status=i.status,
                   decided_by=i.decided_by, decided_at=i.decided_at, reason=i.reason, request_id=i.request_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "call": str(self.call_id), "call_id": self.external_id, "client": self.client,
                "kind": self.kind, "channel": self.channel,
                "evidence": {"turn": self.turn, "start": self.t_start, "end": self.t_end, "cues": list(self.cues),
                             "score": self.score, "method": self.method},
                "status": self.status, "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None, "reason": self.reason,
                "request_id": str(self.request_id) if self.request_id else None}


@dataclass(frozen=True)
class Decision:
    """What confirming an item did: the item, and the subject request or marketing choice it became."""

    item: ItemView
    request_id: uuid.UUID | None = None
    choice_id: int | None = None


def list_items(session: Session, *, status: str | None = "pending", call_id: uuid.UUID | None = None,
               limit: int = 50, offset: int = 0) -> list[ItemView]:
    if status is not None and status not in STATUSES:
        raise InvalidDecision(f"status must be one of {', '.join(STATUSES)}", code="invalid_status")
    return [ItemView.of(r) for r in repo_rights.list_items(session, status=status, call_id=call_id,
                                                           limit=limit, offset=offset)]


def get_item(session: Session, item_id: int) -> ItemView:
    return ItemView.of(_pending_or_any(session, item_id, pending=False))


def _pending_or_any(session: Session, item_id: int, *, pending: bool) -> repo_rights.ItemRow:
    row = repo_rights.item_row(session, item_id, for_update=pending)
    if row is None:
        raise ItemNotFound("no such item")
    if pending and row.item.status != "pending":
        raise ItemDecided(f"the item is already {row.item.status}")
    return row


def confirm(session: Session, blobs: BlobStore, item_id: int, *, actor: str, role: str,
            verification_method: str | None = None, verification: str | None = None, note: str | None = None,
            now: datetime | None = None) -> Decision:
    """Confirm a pending item (see the module docstring for what it becomes). Commits.

    A rights request needs the verification method and evidence reference (``subjects.check_verification``);
    a marketing choice is the customer's own word in the call and needs none.
    """
    now = now or utcnow()
    row = _pending_or_any(session, item_id, pending=True)
    item = row.item
    check_free_text("note", note, [])
    terms = [{"kind": k, "hmac": h} for k, h in repo_rights.party_terms(session, item.call_id)]
    request_id: uuid.UUID | None = None
    choice_id: int | None = None
    if item.kind in REQUEST_KIND:
        method, reference = check_verification(verification_method, verification, [])
        if not terms:
            raise NoCallerIdentifiers("the call's metadata has no identifier of the caller; make the request "
                                      "from the identifiers the person gives (subject requests)")
        _decide(item, "confirmed", actor, now, note)
        _audit_decision(session, item, actor, role, now)  # committed with the request's own first commit
        note_text = "; ".join(x for x in (f"said in call {item.call_id} (item {item.id}, {item.kind})",
                                          (note or "").strip()) if x)
        req = open_request(session, blobs, kind=REQUEST_KIND[item.kind], terms=terms, verification=reference,
                           verification_method=method, note=note_text, actor=actor, role=role, now=now,
                           audit_detail={"rights_item": item.id})
        item.request_id = request_id = req.id
    elif item.kind in MARKETING_CHOICE:
        _decide(item, "confirmed", actor, now, note)
        choice = repo_rights.add_marketing_choice(session, MarketingChoice(
            channel=item.channel, choice=MARKETING_CHOICE[item.kind], status="verified", source="rekisteroity",
            client=row.client, external_id=row.external_id, call_id=item.call_id, item_id=item.id, terms=terms,
            verified_by=actor, verified_at=now))
        choice_id = choice.id
        _audit_decision(session, item, actor, role, now, {"marketing_choice": choice.id})
    else:  # objection and any kind without an automatic step: the decision is the record
        _decide(item, "confirmed", actor, now, note)
        _audit_decision(session, item, actor, role, now)
    session.commit()
    return Decision(item=get_item(session, item_id), request_id=request_id, choice_id=choice_id)


def reject(session: Session, item_id: int, *, reason: str, actor: str, role: str,
           now: datetime | None = None) -> ItemView:
    """Reject a pending item (a false detection, or the customer did not mean it); the reason is required."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise InvalidDecision("give the reason for rejecting the item", code="reason_required")
    check_free_text("reason", reason, [])
    item = _pending_or_any(session, item_id, pending=True).item
    _decide(item, "rejected", actor, now, reason)
    _audit_decision(session, item, actor, role, now)
    session.commit()
    return get_item(session, item_id)


def _decide(item: RightsItem, status: str, actor: str, now: datetime, reason: str | None) -> None:
    item.status, item.decided_by, item.decided_at = status, actor, now
    item.reason = (reason or "").strip() or None


def _audit_decision(session: Session, item: RightsItem, actor: str, role: str, now: datetime,
                    extra: dict[str, Any] | None = None) -> None:
    audit.record(session, actor, role, f"rights.item_{item.status}", "rights_item", str(item.id),
                 {"kind": item.kind, "channel": item.channel, "call": str(item.call_id), **(extra or {})}, now=now)


# ------------------------------------------------------------------------------------ marketing choices


def choice_document(c: MarketingChoice) -> dict[str, Any]:
    """A marketing choice as the CRM reads it: the source call (client, telephony id), the subject's keyed
    identifier terms (to match its own keyed index), the channel and the decision; never an identifier."""
    return {"id": c.id, "choice": c.choice, "channel": c.channel, "status": c.status, "source": c.source,
            "client": c.client, "call_id": c.external_id, "terms": list(c.terms),
            "verified_by": c.verified_by, "verified_at": c.verified_at.isoformat()}


def choices_of_call(session: Session, call_id: uuid.UUID) -> list[dict[str, Any]]:
    return [choice_document(c) for c in repo_rights.choices_of_call(session, call_id)]


def choices_since(session: Session, since: datetime, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    return [choice_document(c) for c in repo_rights.choices_since(session, since, after_id=after, limit=limit)]


def get_choice(session: Session, choice_id: int) -> MarketingChoice | None:
    return repo_rights.get_choice(session, choice_id)
