"""Legal holds by the visible call id, attaching a call to a request by hand, and an erasure's preview.

Holds are for admins and privacy officers (a QA reviewer gets 403); attaching and previews for privacy
officers only, like every other subject-request route. Calls are named by the telephony system's call id
(``?client=`` when several clients used the same id), as in ``GET /v1/calls/{call_id}``. Domain errors go to
``service.api.errors``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import Principal, SessionDep, require_roles
from service.api.routes.calls import CallIdPath, ClientQuery
from service.api.routes.subjects import ERRORS, SubjectRequestOut
from service.calls.views import find_call_by_external_id
from service.privacy import subjects
from service.privacy.attach import attach_call
from service.privacy.erasure_preview import preview_erasure
from service.privacy.legal_hold import MAX_REASON, MIN_REASON, set_hold
from service.store.kinds import Role

router = APIRouter(tags=["legal holds"])
HoldKeeper = Annotated[Principal, Depends(require_roles(Role.ADMIN.value, Role.PRIVACY_OFFICER.value))]
Officer = Annotated[Principal, Depends(require_roles(Role.PRIVACY_OFFICER.value))]


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=MIN_REASON, max_length=MAX_REASON, description=(
        "Why the hold is put on or lifted (a case number, a claim); stored, shown and audited: no identifiers"))


class HoldOut(BaseModel):
    call_id: str
    client: str
    legal_hold: bool = Field(description="The manual hold")
    policy_hold: bool = Field(description="A retention policy holds some artefact; lifting the manual hold "
                                          "keeps it")
    reason: str | None
    by: str | None
    at: datetime | None


class AttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(description="The telephony system's call id")
    client: str | None = Field(default=None, description="Needed only when several clients used the id")
    reason: str = Field(min_length=3, max_length=500, description="Why the call is the person's (no "
                                                                  "identifiers)")


def _hold(session: Any, call_id: str, client: str | None, on: bool, reason: str, user: Principal
          ) -> dict[str, Any]:
    call = find_call_by_external_id(session, call_id, include_restricted=True, client=client)
    state = set_hold(session, call.id, on, reason=reason, actor=user.name, role=user.role)
    session.commit()
    return state.to_dict()


@router.put("/v1/calls/{call_id}/legal-hold", response_model=HoldOut, responses=ERRORS)
def hold_on(call_id: CallIdPath, body: HoldIn, session: SessionDep, user: HoldKeeper,
            client: ClientQuery = None) -> dict[str, Any]:
    """Put the call under a manual legal hold: never swept, never erased, until lifted."""
    return _hold(session, call_id, client, True, body.reason, user)


@router.delete("/v1/calls/{call_id}/legal-hold", response_model=HoldOut, responses=ERRORS)
def hold_off(call_id: CallIdPath, body: HoldIn, session: SessionDep, user: HoldKeeper,
             client: ClientQuery = None) -> dict[str, Any]:
    """Lift the manual hold (a hold from a retention policy stays)."""
    return _hold(session, call_id, client, False, body.reason, user)


@router.post("/v1/subject-requests/{request_id}/calls", response_model=SubjectRequestOut, responses=ERRORS,
             tags=["subject requests"])
def attach(request_id: uuid.UUID, body: AttachIn, session: SessionDep, user: Officer) -> dict[str, Any]:
    """Attach a call the index did not find (a misheard identifier) as the person's own call, with a reason."""
    call = find_call_by_external_id(session, body.call_id, include_restricted=True, client=body.client)
    req = attach_call(session, request_id, call, reason=body.reason, actor=user.name, role=user.role)
    session.commit()
    return subjects.request_document(req)


@router.get("/v1/subject-requests/{request_id}/erasure-preview", responses=ERRORS, tags=["subject requests"])
def erasure_preview(request_id: uuid.UUID, session: SessionDep, user: Officer) -> dict[str, Any]:
    """What approving this erasure would delete and keep, and why, without changing anything."""
    req = subjects.get_request(session, request_id)
    return preview_erasure(session, req).to_dict()
