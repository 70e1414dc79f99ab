"""The call's redacted audio for listening: Ogg/Opus served by HTTP ranges (the WAV stays at ``/audio``).

A media element asks for ``bytes=0-`` first, then for the ranges it seeks to; each answer is one read of
the call's audio, so each is audited like the WAV download. Hidden (restricted, erased) calls answer 404
exactly as the other call routes do.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.byte_ranges import ranged_response
from service.api.deps import CtxDep, SessionDep
from service.api.errors import ApiError
from service.api.routes.calls import ERRORS, CallIdPath, ClientQuery, Reader
from service.calls.listening_copy import LISTENING_COPIES, MEDIA_TYPE, redacted_audio_ref
from service.calls.views import find_call_by_external_id
from service.platform.blobstore import BlobNotFound
from service.privacy import audit
from service.store.kinds import may_read_restricted

router = APIRouter(prefix="/v1/calls", tags=["calls"])


@router.get("/{call_id}/audio.ogg", responses={
    200: {"content": {MEDIA_TYPE: {}}}, 206: {"description": "One byte range (``Range: bytes=a-b``)"},
    416: {"description": "The range names no byte of the audio"}, **ERRORS})
def get_listening_audio(call_id: CallIdPath, request: Request, session: SessionDep, user: Reader,
                        ctx: CtxDep, client: ClientQuery = None) -> Response:
    """The redacted recording as Ogg/Opus (24-32 kbit/s), with ``Range`` support for seeking."""
    call = find_call_by_external_id(session, call_id, include_restricted=may_read_restricted(user.role),
                                    client=client)
    ref = redacted_audio_ref(session, call.id)
    if ref is None:
        raise ApiError(404 if call.status != "done" else 410, "no_audio",
                       "no redacted audio (not processed yet, or deleted under the retention policy)")
    try:
        data = LISTENING_COPIES.get(ref, lambda: ctx.blobs.get(ref.blob_key))
    except BlobNotFound:
        raise ApiError(410, "no_audio", "the redacted audio was deleted") from None
    wanted = request.headers.get("range")
    audit.record(session, user.name, user.role, "call.audio", "call", str(call.id),
                 {"format": "opus", "range": wanted[:40] if wanted else None})
    return ranged_response(data, MEDIA_TYPE, wanted, {"Cache-Control": "private, no-store"})
