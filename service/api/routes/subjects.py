"""Data-subject requests over HTTP, for privacy officers only (privacy notice §11, GDPR art. 15–18, 20).

The identifiers in a request body are turned into keyed index terms and dropped; nothing here echoes them
back, not even in a validation error (see ``service.api.errors``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from service import audit, subjects
from service.api.deps import CtxDep, Principal, SessionDep, require_roles
from service.api.errors import ApiError
from service.api.schemas import CALL_ID_PATTERN, Problem
from service.export import build_export, export_filename
from service.store.models import SUBJECT_REQUEST_KINDS
from service.subject_index import KINDS as IDENTIFIER_KINDS

router = APIRouter(prefix="/v1/subject-requests", tags=["subject requests"])
Officer = Annotated[Principal, Depends(require_roles("privacy_officer"))]
RequestKind = Literal["access", "erasure", "restriction", "lift_restriction", "rectification"]
IdentifierKind = Literal["phone", "hetu", "email", "iban", "customer_number"]
# 400: a body that is not JSON at all (FastAPI refuses it before validation, even for anonymous callers).
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": Problem} for code in (400, 401, 403, 404, 409, 422)}
MAX_OFFSET = 1_000_000  # beyond any real register; an unbounded int overflows the database's integer type
assert set(RequestKind.__args__) == set(SUBJECT_REQUEST_KINDS)  # type: ignore[attr-defined]
assert set(IdentifierKind.__args__) == set(IDENTIFIER_KINDS)  # type: ignore[attr-defined]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=200, description="As the person gave it; never stored")


class SubjectRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind
    identifiers: list[IdentifierIn] = Field(min_length=1, max_length=subjects.MAX_IDENTIFIERS)
    verification: str = Field(min_length=3, max_length=2000, description=(
        "How the person's identity was verified. Free text kept with the request: do not write identifiers "
        "here (a note quoting one is refused)."))
    note: str | None = Field(default=None, max_length=2000, description="Free text; no identifiers")


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
    verification: str
    note: str | None
    calls: list[dict[str, Any]] = Field(description="Matched calls: id, call_id (telephony), matched_by")
    result: dict[str, Any] = Field(description="The receipt: what was deleted, kept (and why), restricted")


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
    agent: dict[str, Any]
    created_at: datetime


def _load(session: Any, request_id: uuid.UUID) -> Any:
    try:
        return subjects.get_request(session, request_id)
    except subjects.RequestNotFound:
        raise ApiError(404, "not_found", "unknown subject request") from None


@router.post("", status_code=201, response_model=SubjectRequestOut, responses=ERRORS)
def create(body: SubjectRequestIn, session: SessionDep, ctx: CtxDep, user: Officer) -> JSONResponse:
    """Record a request, find every call concerning the person, and carry it out: erasure and restriction
    at once (the result is the receipt), access by ``/export``, rectification by ``/rectifications``."""
    try:
        req = subjects.create_request(
            session, ctx.blobs, kind=body.kind, identifiers=[(i.kind, i.value) for i in body.identifiers],
            verification=body.verification, note=body.note, actor=user.name, role=user.role)
    except subjects.InvalidSubjectRequest as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    doc = subjects.request_document(req)
    return JSONResponse(SubjectRequestOut.model_validate(doc).model_dump(mode="json"), status_code=201,
                        headers={"Location": f"/v1/subject-requests/{req.id}"})


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
    req = _load(session, request_id)
    audit.record(session, user.name, user.role, "subject.view", "subject_request", str(req.id))
    return subjects.request_document(req)


@router.get("/{request_id}/export", responses={200: {"content": {"application/zip": {}}}, **ERRORS})
def export(request_id: uuid.UUID, session: SessionDep, ctx: CtxDep, user: Officer) -> Response:
    """The access/portability export: a ZIP of ``manifest.json`` (schema ``puheturva.subject-export/1``)
    and each call's redacted audio, the agent withheld."""
    req = _load(session, request_id)
    try:
        out = build_export(session, ctx.blobs, req)
    except subjects.WrongRequestKind as exc:
        raise ApiError(409, "wrong_request_kind", str(exc)) from None
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
    try:
        corr = subjects.add_correction(session, request_id, call_ref=body.call_id, turn_idx=body.turn,
                                       text=body.text, actor=user.name, role=user.role)
    except subjects.RequestNotFound:
        raise ApiError(404, "not_found", "unknown subject request") from None
    except subjects.WrongRequestKind as exc:
        raise ApiError(409, "wrong_request_kind", str(exc)) from None
    except (subjects.CallNotInRequest, subjects.TurnNotFound) as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except subjects.InvalidSubjectRequest as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    session.commit()
    return {"id": corr.id, "call_id": body.call_id, "turn": corr.turn_idx, "original_text": corr.original_text,
            "corrected_text": corr.corrected_text, "redacted_types": corr.redacted_types, "agent": corr.agent,
            "created_at": corr.created_at}
