"""The privacy officer's queue of requests said in calls, and the verified marketing choices for the CRM.

``/v1/privacy/items``: list pending (or decided) items with their evidence, confirm one (a rights request
becomes a subject request, a marketing choice a register entry), reject one with a reason. Privacy officers only.
``/v1/marketing-choices?since=``: verified choices since a time, paged, for the CRM (privacy officer or admin).
Domain errors (``service.privacy.rights_items``, ``subjects``) are answered by ``service.api.errors``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from service.api.deps import CtxDep, Principal, SessionDep, require_roles
from service.api.routes.subjects import ERRORS, MAX_OFFSET, VerificationIn
from service.calls.callbacks import notify_marketing_choice
from service.privacy import rights_items

router = APIRouter(prefix="/v1/privacy/items", tags=["privacy items"])
choices_router = APIRouter(prefix="/v1/marketing-choices", tags=["marketing choices"])
Officer = Annotated[Principal, Depends(require_roles("privacy_officer"))]
# An item id is a database integer: a larger one is simply unknown (PostgreSQL's integer would overflow: 500).
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OfficerOrAdmin = Annotated[Principal, Depends(require_roles("privacy_officer", "admin"))]
ItemStatus = Literal["pending", "confirmed", "rejected", "all"]


class ConfirmIn(BaseModel):
    """A rights request (access, erasure, …) needs how identity was verified; a marketing choice does not."""

    model_config = ConfigDict(extra="forbid")

    verification: VerificationIn | None = None
    note: str | None = Field(default=None, max_length=2000, description="Free text; no identifiers")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=rights_items.MIN_REASON, max_length=500,
                        description="Why the item is not acted on; no identifiers")


@router.get("", responses=ERRORS)
def list_items(session: SessionDep, user: Officer, status: ItemStatus | None = "pending",
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict[str, Any]:
    """Items oldest first, with their evidence (call, turn, time range, cue words); ``status=all`` for every one."""
    items = rights_items.list_items(session, status=None if status == "all" else status, limit=limit,
                                    offset=offset)
    return {"items": [i.to_dict() for i in items], "limit": limit, "offset": offset}


@router.get("/{item_id}", responses=ERRORS)
def get_item(item_id: ItemId, session: SessionDep, user: Officer) -> dict[str, Any]:
    return rights_items.get_item(session, item_id).to_dict()


@router.post("/{item_id}/confirm", responses=ERRORS)
def confirm(item_id: ItemId, body: ConfirmIn, session: SessionDep, ctx: CtxDep, user: Officer,
            background: BackgroundTasks) -> dict[str, Any]:
    """Confirm an item: a rights request opens a subject request, a marketing choice is verified (and sent to
    the call's client as a signed ``marketing_choice.verified`` callback)."""
    v = body.verification
    decision = rights_items.confirm(session, ctx.blobs, item_id, actor=user.name, role=user.role,
                                    verification_method=v.method if v else None,
                                    verification=v.reference if v else None, note=body.note)
    out = _decision(decision)
    choice = rights_items.get_choice(session, decision.choice_id) if decision.choice_id is not None else None
    if choice is not None:
        background.add_task(notify_marketing_choice, ctx.settings, rights_items.choice_document(choice))
    session.commit()  # ends the read: the callback runs after the response, with no lock held
    return out


@router.post("/{item_id}/reject", responses=ERRORS)
def reject(item_id: ItemId, body: RejectIn, session: SessionDep, user: Officer) -> dict[str, Any]:
    return rights_items.reject(session, item_id, reason=body.reason, actor=user.name, role=user.role).to_dict()


def _decision(d: rights_items.Decision) -> dict[str, Any]:
    return {**d.item.to_dict(), "subject_request": str(d.request_id) if d.request_id else None,
            "marketing_choice": d.choice_id}


@choices_router.get("", responses=ERRORS)
def marketing_choices(session: SessionDep, user: OfficerOrAdmin, since: AwareDatetime,
                      after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Verified direct-marketing choices since ``since`` (ISO 8601 with a zone), oldest first. Page on with
    ``after`` = the last id of a page while ``next_after`` is not null."""
    rows = rights_items.choices_since(session, since, after=after, limit=limit)
    return {"since": since.isoformat(), "choices": rows,
            "next_after": rows[-1]["id"] if len(rows) == limit else None}



