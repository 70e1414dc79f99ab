"""``POST /v1/calls``: the telephony system delivers a recording (Standard Webhooks, multipart)."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from models.audio import AudioTooLong, InvalidAudio, decode
from service.api.deps import CtxDep
from service.api.errors import ApiError
from service.api.schemas import Accepted, CallMetadata, Problem
from service.ingest import IngestError, accept_call, previous_delivery
from service.signing import SignatureError, StaleTimestamp, verify

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["webhook"])
MULTIPART_OVERHEAD = 64 * 1024
MAX_METADATA_CHARS = 64 * 1024  # a few hundred bytes in practice; bounds the JSON parser's work

ERRORS = {400: {"model": Problem}, 401: {"model": Problem}, 409: {"model": Problem}, 413: {"model": Problem},
          415: {"model": Problem}, 422: {"model": Problem}, 503: {"model": Problem}, 507: {"model": Problem}}
RETRY_LATER = (503, 507)


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) anything over ``limit`` before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"upload exceeds the {limit} byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"upload exceeds the {limit} byte limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette replays a cached body to request.form(); we consumed the stream
    return body


@router.post("/calls", status_code=202, response_model=Accepted, responses=ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["audio", "metadata"],
                 "properties": {"audio": {"type": "string", "format": "binary"},
                                "metadata": {"type": "string", "description": "CallMetadata as JSON"}}}}}}})
async def post_call(request: Request, ctx: CtxDep) -> JSONResponse:
    """Accept a signed recording: stored encrypted and queued before the 202."""
    settings = ctx.settings
    body = await read_limited(request, settings.max_upload_bytes + MULTIPART_OVERHEAD)
    secrets = [(c.name, c.secret.get_secret_value()) for c in settings.telephony_clients]
    try:
        msg = verify(body, request.headers, secrets)
    except StaleTimestamp as exc:
        raise ApiError(401, "stale_signature", str(exc)) from None
    except SignatureError as exc:
        raise ApiError(401, "bad_signature", str(exc)) from None
    previous = await run_in_threadpool(previous_delivery, ctx.db, msg.client, msg.msg_id)
    if previous is not None:
        return JSONResponse(previous.body, status_code=previous.status)
    meta, audio_bytes, raw_format = await _parse_form(request)
    try:
        audio = await run_in_threadpool(decode, audio_bytes, raw_format=raw_format,
                                        max_duration=settings.max_audio_seconds)
    except AudioTooLong as exc:
        raise ApiError(413, "audio_too_long", str(exc)) from None
    except InvalidAudio as exc:
        raise ApiError(422, "invalid_audio", str(exc)) from None
    try:
        result = await run_in_threadpool(accept_call, ctx.db, ctx.blobs, settings, client=msg.client,
                                         webhook_id=msg.msg_id, meta=meta, audio_bytes=audio_bytes, audio=audio)
    except IngestError as exc:
        headers = {"Retry-After": "5"} if exc.status in RETRY_LATER else None
        raise ApiError(exc.status, exc.code, str(exc), headers) from None
    if result.created:
        runner = getattr(request.app.state, "runner", None)
        if runner is not None:
            runner.wake()
        elif settings.queue == "celery" and result.body.get("job_id"):
            from service.jobs.celery_app import enqueue_job  # Celery only where it is used

            await run_in_threadpool(enqueue_job, settings, int(result.body["job_id"]))
        log.info("accepted call %s from client %s (%.1f s audio)", result.body["job_id"], msg.client,
                 audio.duration)
    return JSONResponse(result.body, status_code=result.status,
                        headers={"Location": result.body["status_url"]})


async def _parse_form(request: Request) -> tuple[CallMetadata, bytes, str | None]:
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", "send multipart/form-data with parts audio and metadata")
    try:
        form = await request.form(max_files=1, max_fields=4)
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
