"""Data-subject requests over HTTP, for privacy officers only (privacy notice §11, GDPR art. 15–18, 20).

The identifiers in a request body are turned into keyed index terms and dropped; nothing here echoes them
back, not even in a validation error (see ``service.api.errors``). Domain errors (``service.privacy.subjects``) are
not caught here: ``service.api.errors`` answers each with its kind's status and its code.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import CtxDep, Principal, SessionDep, require_roles
from service.api.schemas import CALL_ID_PATTERN, Problem
from service.privacy import audit, subjects
from service.privacy.export import build_export, export_filename
from service.privacy.subject_index import KINDS as IDENTIFIER_KINDS
from service.store.models import SUBJECT_REQUEST_KINDS, VERIFICATION_METHODS

router = APIRouter(prefix="/v1/subject-requests", tags=["subject requests"])
Officer = Annotated[Principal, Depends(require_roles("privacy_officer"))]
RequestKind = Literal["access", "erasure", "restriction", "lift_restriction", "rectification"]
# The subject-index kinds of ``redaction.entities``, as a Literal so that the schema lists them inline.
IdentifierKind = Literal[IDENTIFIER_KINDS]  # type: ignore[valid-type]
VerificationMethod = Literal["id_document", "strong_electronic_id", "known_contact_callback", "in_person"]
# 400: a body that is not JSON at all (FastAPI refuses it before validation, even for anonymous callers).
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (400, 401, 403, 404, 409, 422)}
MAX_OFFSET = 1_000_000  # beyond any real register; an unbounded int overflows the database's integer type
assert set(RequestKind.__args__) == set(SUBJECT_REQUEST_KINDS)  # type: ignore[attr-defined]
assert set(VerificationMethod.__args__) == set(VERIFICATION_METHODS)  # type: ignore[attr-defined]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=200, description="As the person gave it; never stored")


class VerificationIn(BaseModel):
    """How the person's identity was verified: a method from a fixed list and a reference to the evidence."""

    model_config = ConfigDict(extra="forbid")

    method: VerificationMethod
    reference: str = Field(min_length=subjects.MIN_REFERENCE, max_length=2000, description=(
        "Where the evidence is (case or ticket number, office, date). Kept with the request: do not write "
        "identifiers here (a reference quoting one is refused)."))


class SubjectRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=subjects.MAX_IDENTIFIERS)
    verification: VerificationIn
    note: str | None = Field(default=None, max_length=2000, description="Free text; no identifiers")


class Attachment(BaseModel):
    """Who attached a call to the request by hand, when, and why (the spoken identifier was misheard …)."""

    by: str
    at: str
    reason: str


class Person(BaseModel):
    """The person who made a correction: their account and role (PROV agent of kind ``person``)."""

    name: str
    kind: Literal["person"]
    role: str | None


class MatchedCall(BaseModel):
    id: str = Field(description="Puheturva's id of the call")
    call_id: str = Field(description="The telephony system's id")
    matched_by: list[str] = Field(description="Identifier kinds that matched (``manual``: attached by hand)")
    match: Literal["party", "mention"] = Field(description="party: the person's own call; mention: the person "
                                                           "was only spoken of in it")


class AttachedCall(MatchedCall):
    """A call a privacy officer attached to the request by hand."""

    attached: Attachment


class SubjectRequestOut(BaseModel):
    id: str
    kind: str
    status: str
    created_by: str
    created_by_role: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    identifier_kinds: list[str]
    verification: dict[str, str | None] = Field(description="method (null on requests made before methods "
                                                            "were asked) and reference")
    approved_by: str | None = Field(default=None, description="The second privacy officer of an erasure")
    approved_at: datetime | None = None
    note: str | None
    calls: list[AttachedCall | MatchedCall] = Field(description="The calls concerning the person")
    result: dict[str, Any] = Field(description="The receipt: what was deleted, kept (and why), restricted")


class RejectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, description="Why the erasure is not carried out; no "
                                                                  "identifiers")


class SubjectRequestList(BaseModel):
    requests: list[SubjectRequestOut]
    limit: int
    offset: int


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(pattern=CALL_ID_PATTERN, description="The telephony system's id of one of the "
                                                              "request's calls")
    turn: int = Field(ge=0, le=100_000, description="Index of the transcript turn")
    text: str = Field(min_length=1, max_length=5000, description="The corrected text (redacted on arrival)")


class CorrectionOut(BaseModel):
    id: int
    call_id: str
    turn: int
    original_text: str
    corrected_text: str
    redacted_types: list[str]
    agent: Person
    created_at: datetime


@router.post("", status_code=201, response_model=SubjectRequestOut, responses=ERRORS)
def create(body: SubjectRequestIn, session: SessionDep, ctx: CtxDep, user: Officer) -> JSONResponse:
    """Record a request, find every call concerning the person, and carry it out: restriction at once (the
    result is the receipt), erasure once a second officer approves it (``/approve``), access by ``/export``,
    rectification by ``/rectifications``."""
    req = subjects.create_request(
        session, ctx.blobs, kind=body.kind, identifiers=[(i.kind, i.value) for i in body.identifiers],
        verification=body.verification.reference, verification_method=body.verification.method,
        note=body.note, actor=user.name, role=user.role)
    doc = subjects.request_document(req)
    return JSONResponse(SubjectRequestOut.model_validate(doc).model_dump(mode="json"), status_code=201,
                        headers={"Location": f"/v1/subject-requests/{req.id}"})


@router.post("/{request_id}/approve", response_model=SubjectRequestOut, responses=ERRORS)
def approve(request_id: uuid.UUID, session: SessionDep, ctx: CtxDep, user: Officer) -> dict[str, Any]:
    """Approve an erasure request made by another privacy officer, and carry it out (the result is the
    receipt). The officer who made the request cannot approve it."""
    req = subjects.approve_erasure(session, ctx.blobs, request_id, actor=user.name, role=user.role)
    return subjects.request_document(req)


@router.post("/{request_id}/reject", response_model=SubjectRequestOut, responses=ERRORS)
def reject(request_id: uuid.UUID, body: RejectionIn, session: SessionDep, user: Officer) -> dict[str, Any]:
    """Close an erasure request waiting for approval without erasing anything (any privacy officer: the
    second one finds the verification wanting, or the maker withdraws it)."""
    req = subjects.reject_erasure(session, request_id, reason=body.reason, actor=user.name, role=user.role)
    return subjects.request_document(req)


@router.get("", response_model=SubjectRequestList, responses=ERRORS)
def list_all(session: SessionDep, user: Officer, kind: RequestKind | None = None,
             limit: Annotated[int, Query(ge=1, le=200)] = 50,
             offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
             ) -> dict[str, Any]:
    """Requests, newest first."""
    rows = subjects.list_requests(session, kind=kind, limit=limit, offset=offset)
    return {"requests": [subjects.request_document(r) for r in rows], "limit": limit, "offset": offset}


@router.get("/{request_id}", response_model=SubjectRequestOut, responses=ERRORS)
def get_one(request_id: uuid.UUID, session: SessionDep, user: Officer) -> dict[str, Any]:
    """One request with its matched calls and receipt."""
    req = subjects.get_request(session, request_id)
    audit.record(session, user.name, user.role, "subject.view", "subject_request", str(req.id))
    return subjects.request_document(req)


@router.post("/{request_id}/export", responses={200: {"content": {"application/zip": {}}}, **ERRORS})
def export(request_id: uuid.UUID, session: SessionDep, ctx: CtxDep, user: Officer) -> Response:
    """The access/portability export: a ZIP of ``manifest.json`` (schema ``puheturva.subject-export/2``)
    and the redacted audio of the person's own calls, everyone else withheld.

    A POST: each export is written into the request's receipt and the audit log, and a GET could be set off
    by a cross-site link riding a browser's session cookie (review #20)."""
    req = subjects.get_request(session, request_id)
    out = build_export(session, ctx.blobs, req)
    subjects.record_export(session, req, sha256=out.sha256, call_ids=out.call_ids, actor=user.name,
                           role=user.role)
    session.commit()
    return Response(out.data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{export_filename(req.id)}"',
        "Cache-Control": "private, no-store", "X-Content-SHA256": out.sha256})


@router.post("/{request_id}/rectifications", status_code=201, response_model=CorrectionOut,
             responses=ERRORS)
def rectify(request_id: uuid.UUID, body: CorrectionIn, session: SessionDep, user: Officer) -> dict[str, Any]:
    """Attach a correction to a transcript turn of one of the request's calls; the original is kept."""
    corr = subjects.add_correction(session, request_id, call_ref=body.call_id, turn_idx=body.turn,
                                   text=body.text, actor=user.name, role=user.role)
    session.commit()
    return {"id": corr.id, "call_id": body.call_id, "turn": corr.turn_idx, "original_text": corr.original_text,
            "corrected_text": corr.corrected_text, "redacted_types": corr.redacted_types, "agent": corr.agent,
            "created_at": corr.created_at}
