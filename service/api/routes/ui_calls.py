"""The QA pages: the call list with filters and search, one call's view, and reporting a missed identifier.

Every list and every view of a call is audited. Nothing here reads raw data: turns, entities and audio are
the redacted ones, and the subject index is not touched.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from models.audio import InvalidAudio, decode
from models.provenance import utcnow
from service.api.deps import CtxDep, Principal, SessionDep, require_roles
from service.api.errors import ApiError
from service.api.schemas import CALL_ID_PATTERN, CLIENT_NAME_PATTERN
from service.calls.call_urls import call_url
from service.calls.document import CallDocument
from service.calls.review import report_missed_identifier, reportable_types
from service.calls.views import call_document, find_call_by_external_id, redacted_audio_key
from service.platform.blobstore import BlobNotFound
from service.privacy import audit
from service.store.kinds import CallStatus, may_read_restricted
from service.ui.call_page import LOW_CONFIDENCE, display_turns, has_low_confidence, redacted_time_ranges
from service.ui.listing import RETENTION_STATES, CallFilters, filter_options, page_number, search_calls
from service.ui.vocabulary import identifier_types
from service.ui.waveform import Waveform, build_waveform
from service.ui.web import READERS, UiError, UiReader, render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
_CALL_ID = re.compile(CALL_ID_PATTERN)
_CLIENT = re.compile(CLIENT_NAME_PATTERN)


@router.get("/")
@router.get("/ui")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/calls", status_code=303)


@router.get("/ui/calls")
def calls_page(request: Request, session: SessionDep, user: UiReader) -> HTMLResponse:
    """Newest calls first, filtered and searched; restricted calls only for privileged roles."""
    filters = CallFilters.from_query(request.query_params)
    page = search_calls(session, filters, include_restricted=user.may_see_restricted,
                        page=page_number(request.query_params), now=utcnow())
    options = filter_options(session, include_restricted=user.may_see_restricted)
    audit.record(session, user.name, user.role, "call.list", "call", None,
                 {"via": "ui", "filters": filters.used(), "page": page.page, "results": len(page.rows)})
    session.commit()
    retention_states = [s for s in RETENTION_STATES if s != "restricted" or user.may_see_restricted]
    return render(request, "calls.html", {
        "f": filters, "page": page, "options": options, "pii_types": identifier_types(),
        "statuses": [s.value for s in CallStatus], "retention_states": retention_states,
        "now": utcnow()}, user=user)


@router.get("/ui/calls/{call_id}")
def call_page(call_id: str, request: Request, session: SessionDep, ctx: CtxDep, user: UiReader
              ) -> HTMLResponse:
    """One call: player, timeline, turns with redaction chips, classifications, retention, provenance."""
    call = _visible(session, call_id, request.query_params.get("client"), user.may_see_restricted, user)
    doc = call_document(session, call.id)
    audio_key = redacted_audio_key(session, call.id)
    audit.record(session, user.name, user.role, "call.view", "call", str(call.id), {"via": "ui"})
    session.commit()  # release the database before the slow part (decrypting and drawing the audio)
    pad_s = ctx.settings.audio_pad_ms / 1000
    ranges = redacted_time_ranges(doc.entities, pad_s)
    wave = _waveform(ctx, audio_key, doc, ranges)
    return render(request, "call.html", {
        "doc": doc, "turns": display_turns(doc), "wave": wave, "has_audio": audio_key is not None,
        "audio_url": call_url("/v1/calls", call.external_id, call.client, suffix="/audio"),
        "listen_url": call_url("/v1/calls", call.external_id, call.client, suffix="/audio.ogg"),
        "low_confidence": LOW_CONFIDENCE, "has_low_confidence": has_low_confidence(doc),
        "report_url": call_url("/ui/calls", call.external_id, call.client, suffix="/report"),
        "report_types": reportable_types(), "reported": request.query_params.get("reported")}, user=user)


def _visible(session: Any, call_id: str, client: str | None, include_restricted: bool, user: Any) -> Any:
    """The call, or the error page: 404 (``CallHidden``) or 409 (``AmbiguousCallId``, ``service.ui.error_pages``)."""
    if not _CALL_ID.match(call_id) or (client is not None and not _CLIENT.match(client)):
        raise UiError(404, "error.404", user)
    return find_call_by_external_id(session, call_id, include_restricted=include_restricted, client=client)


def _waveform(ctx: Any, key: str | None, doc: CallDocument, ranges: list[tuple[float, float]]
              ) -> Waveform | None:
    if key is None:
        return None
    try:
        audio = decode(ctx.blobs.get(key))
    except (BlobNotFound, InvalidAudio) as exc:
        log.warning("no waveform for a call: %s", type(exc).__name__)
        return None
    channels = doc.call.channels
    speakers = {int(k): v for k, v in channels.items()} or (
        {0: "agent", 1: "customer"} if audio.n_channels == 2 else {0: "unknown"})
    return build_waveform(audio.channels, audio.sample_rate, doc.turns, ranges, speakers)


class MissedIdentifier(BaseModel):
    """A reviewer's report: character offsets in one stored turn's text, and the identifier's type.
    The selected text itself is not sent."""

    turn: int = Field(ge=0, le=100_000)
    start: int = Field(ge=0, le=10_000_000)
    end: int = Field(gt=0, le=10_000_000)
    type: str = Field(max_length=40)


Reporter = Annotated[Principal, Depends(require_roles(*READERS))]


@router.post("/ui/calls/{call_id}/report")
def report(call_id: str, body: MissedIdentifier, session: SessionDep, ctx: CtxDep, user: Reporter,
           client: Annotated[str | None, Query(pattern=CLIENT_NAME_PATTERN)] = None) -> dict[str, Any]:
    """Redact a missed identifier in text and audio (cookie sessions must send ``X-CSRF-Token``)."""
    if not _CALL_ID.match(call_id):
        raise ApiError(404, "not_found", "unknown call id")
    # A JSON endpoint (no page login): CallHidden, AmbiguousCallId and ReviewError become problem JSON.
    call = find_call_by_external_id(session, call_id, include_restricted=may_read_restricted(user.role),
                                    client=client)
    outcome = report_missed_identifier(
        session, ctx.blobs, call.id, turn_idx=body.turn, start=body.start, end=body.end,
        entity_type=body.type, reviewer=user.name, role=user.role, pad_s=ctx.settings.audio_pad_ms / 1000,
        mode=ctx.settings.audio_redaction)
    session.commit()
    log.info("missed identifier reported on call %s (type %s)", call.id, body.type)
    return {"call_id": call.external_id, "turn": outcome.turn, "start": outcome.start, "end": outcome.end,
            "placeholder": outcome.placeholder, "entity_id": outcome.entity_id,
            "audio_ranges": [list(r) for r in outcome.audio_ranges]}

