"""``POST /v1/calls``: the telephony system delivers a recording (Standard Webhooks, multipart)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartParser

from models.audio import AudioTooLong, InvalidAudio
from models.audio_sandbox import decode_isolated
from service.api.deps import CtxDep
from service.api.errors import ApiError
from service.api.schemas import Accepted, CallMetadata, Problem
from service.calls.ingest import accept_call, previous_delivery
from service.jobs.backpressure import RETRY_AFTER_S, QueueGate
from service.jobs.dispatch import dispatch
from service.platform.signing import PendingVerification, SignatureError, StaleTimestamp, check_headers

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["webhook"])
MULTIPART_OVERHEAD = 64 * 1024
MAX_METADATA_CHARS = 64 * 1024  # a few hundred bytes in practice; bounds the JSON parser's work

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": Problem}
                                           for code in (400, 401, 409, 413, 415, 422, 503, 507)}
SLOT_WAIT_S = 0.25  # how long a delivery may wait for a free body slot before 503


async def read_limited(request: Request, limit: int, on_chunk: Callable[[bytes], None] | None = None) -> bytes:
    """The raw body, refusing (413) anything over ``limit`` before reading it all; ``on_chunk`` sees each
    chunk as it arrives (the signature's HMAC), so the body is hashed without a second pass."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"upload exceeds the {limit} byte limit")
    body, size = bytearray(), 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"upload exceeds the {limit} byte limit")
        if on_chunk is not None:
            on_chunk(chunk)
        body += chunk  # one growing buffer, not a list of chunks joined into a second copy
    return bytes(body)


def _check_signature_headers(request: Request, secrets: list[tuple[str, str]]) -> PendingVerification:
    """401 for missing, malformed or stale signature headers: decided before a single body byte is read."""
    try:
        return check_headers(request.headers, secrets)
    except StaleTimestamp as exc:
        raise ApiError(401, "stale_signature", str(exc)) from None
    except SignatureError as exc:
        raise ApiError(401, "bad_signature", str(exc)) from None


def _body_slots(request: Request, size: int) -> asyncio.Semaphore:
    """The app's semaphore of webhook bodies being read (created on first use, in the app's event loop)."""
    slots = getattr(request.app.state, "webhook_body_slots", None)
    if slots is None:
        slots = request.app.state.webhook_body_slots = asyncio.Semaphore(size)
    return slots


async def _read_signed_body(request: Request, limit: int, pending: PendingVerification, slots: int) -> bytes:
    """The body, read only while one of ``slots`` is free: a flood of uploads gets 503, not all the memory.

    A delivery waits up to ``SLOT_WAIT_S`` for a slot (a burst of short calls passes), then gets 503.
    """
    semaphore = _body_slots(request, slots)
    try:
        await asyncio.wait_for(semaphore.acquire(), timeout=SLOT_WAIT_S)
    except TimeoutError:
        raise ApiError(503, "busy", "too many uploads are being received; retry later",
                       {"Retry-After": "5"}) from None
    try:
        return await read_limited(request, limit, pending.update)
    finally:
        semaphore.release()


async def _refuse_when_behind(request: Request) -> None:
    """503 + Retry-After, before a body byte is read, while the job queue is past its limits."""
    gate: QueueGate | None = getattr(request.app.state, "queue_gate", None)
    if gate is None:
        return
    if gate.stale():
        await run_in_threadpool(gate.refresh)
    limit = gate.verdict()
    if limit is not None:
        raise ApiError(503, "queue_full", f"the processing queue is past its {limit} limit; retry later",
                       {"Retry-After": str(RETRY_AFTER_S)})


@router.post("/calls", status_code=202, response_model=Accepted, responses=ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["audio", "metadata"],
                 "properties": {"audio": {"type": "string", "format": "binary"},
                                "metadata": {"type": "string", "description": "CallMetadata as JSON"}}}}}}})
async def post_call(request: Request, ctx: CtxDep) -> JSONResponse:
    """Accept a signed recording: stored encrypted and queued before the 202."""
    settings = ctx.settings
    limit = settings.max_upload_bytes + MULTIPART_OVERHEAD
    secrets = [(c.name, c.secret.get_secret_value()) for c in settings.telephony_clients]
    pending = _check_signature_headers(request, secrets)
    await _refuse_when_behind(request)
    body = await _read_signed_body(request, limit, pending, settings.max_concurrent_webhook_bodies)
    try:
        msg = pending.finish()
    except SignatureError as exc:
        raise ApiError(401, "bad_signature", str(exc)) from None
    previous = await run_in_threadpool(previous_delivery, ctx.db, msg.client, msg.msg_id)
    if previous is not None:
        return JSONResponse(previous.body, status_code=previous.status)
    meta, audio_bytes, raw_format = await _parse_form(request, body)
    del body
    try:  # in a sandboxed child: a decoder crash or runaway costs this request, not the server (review #1)
        audio = await run_in_threadpool(decode_isolated, audio_bytes, raw_format=raw_format,
                                        max_duration=settings.max_audio_seconds,
                                        max_channels=settings.max_audio_channels, samples=False)
    except AudioTooLong as exc:
        raise ApiError(413, "audio_too_long", str(exc)) from None
    except InvalidAudio as exc:
        raise ApiError(422, "invalid_audio", str(exc)) from None
    # An IngestError (conflict 409, store unavailable 503, storage full 507) is answered by service.api.errors.
    result = await run_in_threadpool(accept_call, ctx.db, ctx.blobs, settings, client=msg.client,
                                     webhook_id=msg.msg_id, meta=meta, audio_bytes=audio_bytes, audio=audio)
    if result.created:
        job_id = result.body.get("job_id")
        runner = getattr(request.app.state, "runner", None)
        await run_in_threadpool(dispatch, ctx, int(job_id) if job_id else None, runner)
        log.info("accepted call %s from client %s (%.1f s audio)", result.body["job_id"], msg.client,
                 audio.duration)
    return JSONResponse(result.body, status_code=result.status,
                        headers={"Location": result.body["status_url"]})


class _InMemoryMultiPartParser(MultiPartParser):
    """Starlette's multipart parser with file parts kept in memory.

    Why: Starlette spools file parts over 1 MB to ``$TMPDIR``, which put the original recording on disk in
    clear (review #9). The whole body is already in memory and capped, so a spool limit above the body's own
    cap means no part can ever roll over to disk.
    """

    def __init__(self, request: Request, body: bytes) -> None:
        async def whole_body() -> AsyncGenerator[bytes, None]:
            yield body

        super().__init__(request.headers, whole_body(), max_files=1, max_fields=4)
        self.spool_max_size = len(body) + 1


async def _parse_multipart(request: Request, body: bytes) -> FormData:
    return await _InMemoryMultiPartParser(request, body).parse()


async def _parse_form(request: Request, body: bytes) -> tuple[CallMetadata, bytes, str | None]:
    ctype, _params = parse_options_header(request.headers.get("content-type", ""))
    if ctype.lower() != b"multipart/form-data":
        raise ApiError(415, "unsupported_media_type", "send multipart/form-data with parts audio and metadata")
    try:
        form = await _parse_multipart(request, body)
    except Exception as exc:
        raise ApiError(400, "bad_multipart", f"multipart body cannot be parsed ({type(exc).__name__})") from None
    raw_meta, audio = form.get("metadata"), form.get("audio")
    if isinstance(raw_meta, UploadFile):
        raw_meta = (await raw_meta.read()).decode("utf-8", errors="replace")
    if not isinstance(audio, UploadFile):
        raise ApiError(422, "missing_audio", "the audio part (a file) is missing")
    if not raw_meta:
        raise ApiError(422, "missing_metadata", "the metadata part (JSON) is missing")
    if len(raw_meta) > MAX_METADATA_CHARS:
        raise ApiError(422, "invalid_metadata", f"metadata exceeds {MAX_METADATA_CHARS} characters")
    try:
        meta = CallMetadata.model_validate(json.loads(raw_meta))
    except (json.JSONDecodeError, RecursionError):  # RecursionError: nesting deeper than the parser allows
        raise ApiError(422, "invalid_metadata", "metadata is not valid JSON") from None
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'metadata'}: {e['msg']}" for e in exc.errors()[:5])
        raise ApiError(422, "invalid_metadata", fields) from None
    data = await audio.read()
    if not data:
        raise ApiError(422, "invalid_audio", "the audio part is empty")
    return meta, data, meta.audio_format
