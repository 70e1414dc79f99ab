"""Reading processed calls: status, redacted transcript, entities, classifications, provenance, audio."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from service.api.deps import CtxDep, Principal, SessionDep, require_roles
from service.api.errors import ApiError
from service.api.schemas import CALL_ID_PATTERN, CLIENT_NAME_PATTERN, CallDocument, Problem
from service.calls.views import call_document, find_call_by_external_id, redacted_audio_key
from service.platform.blobstore import BlobNotFound
from service.privacy import audit
from service.store.kinds import may_read_restricted

router = APIRouter(prefix="/v1/calls", tags=["calls"])
Reader = Annotated[Principal, Depends(require_roles("qa_reviewer", "privacy_officer", "admin"))]
CallIdPath = Annotated[str, Path(pattern=CALL_ID_PATTERN, description="The telephony system's call id")]
ClientQuery = Annotated[str | None, Query(pattern=CLIENT_NAME_PATTERN, description=(
    "The telephony client that posted the call; needed only when several clients used the same call id"))]
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Problem}, 403: {"model": Problem},
                                           404: {"model": Problem}, 409: {"model": Problem},
                                           410: {"model": Problem},
                                           422: {"model": Problem}, 503: {"model": Problem}}


def _visible(session: Any, call_id: str, client: str | None, user: Principal) -> Any:
    """The call, or ``CallHidden`` (404) / ``AmbiguousCallId`` (409) from ``service.calls.views``."""
    # Restricted calls (GDPR art. 18) are stored only: hidden from everyone but privacy officers.
    return find_call_by_external_id(session, call_id, include_restricted=may_read_restricted(user.role),
                                    client=client)


@router.get("/{call_id}", response_model=CallDocument, responses=ERRORS)
def get_call(call_id: CallIdPath, session: SessionDep, user: Reader, client: ClientQuery = None) -> CallDocument:
    """Status and, when done, the redacted transcript with entities, classifications and provenance."""
    call = _visible(session, call_id, client, user)
    doc = call_document(session, call.id)
    audit.record(session, user.name, user.role, "call.view", "call", str(call.id))
    return doc


@router.get("/{call_id}/audio", responses={200: {"content": {"audio/wav": {}}}, **ERRORS})
def get_audio(call_id: CallIdPath, session: SessionDep, user: Reader, ctx: CtxDep,
              client: ClientQuery = None) -> Response:
    """The redacted recording (WAV)."""
    call = _visible(session, call_id, client, user)
    key = redacted_audio_key(session, call.id)
    if key is None:
        raise ApiError(404 if call.status != "done" else 410, "no_audio",
                       "no redacted audio (not processed yet, or deleted under the retention policy)")
    try:
        data = ctx.blobs.get(key)
    except BlobNotFound:
        raise ApiError(410, "no_audio", "the redacted audio was deleted") from None
    audit.record(session, user.name, user.role, "call.audio", "call", str(call.id))
    return Response(data, media_type="audio/wav", headers={"Cache-Control": "private, no-store"})
