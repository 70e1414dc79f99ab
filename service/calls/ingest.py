"""Accepting a recording from the telephony webhook: durable before acknowledged, never twice.

Order matters: the encrypted audio blob is written first, then the call, its job, the original-audio artefact
and the delivery record are committed in one transaction; only then does the caller answer 202. A crash
between the two leaves at worst an orphan blob, never a job without audio. Retries are recognised by the
webhook id and by the telephony call id (unique constraints decide under concurrency).
"""

from __future__ import annotations

import errno
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlaTimeoutError

from models.audio import DecodedAudio
from models.provenance import utcnow
from service.calls.call_metadata import CallMetadata
from service.calls.call_urls import api_status_url
from service.platform import errors
from service.platform.blobstore import BlobError, BlobStore, call_blob_key
from service.platform.errors import Conflict, DomainError, Unavailable
from service.privacy import subject_index
from service.privacy.register import category_for_artefact
from service.privacy.retention import opt_ins_from_settings, tags_for
from service.store.db import Database
from service.store.kinds import ArtefactKind
from service.store.records import ArtefactRecord, CallMeta
from service.store.repo_calls import create_call_with_job, find_delivery, latest_job, record_delivery

log = logging.getLogger(__name__)


class IngestError(DomainError):
    """A request that cannot be accepted; its kind (``service.platform.errors``) decides how the webhook answers."""

    code = "bad_request"


class CallConflict(Conflict, IngestError):
    code = "call_conflict"


class StoreUnavailable(Unavailable, IngestError):
    code = "store_unavailable"


class AudioStoreUnavailable(Unavailable, IngestError):
    code = "audio_store_unavailable"


class StorageFull(errors.StorageFull, IngestError):
    code = "storage_full"


# Connection refused or lost, pool exhausted: the database is not there right now (a retry may succeed).
DB_UNAVAILABLE = (OperationalError, InterfaceError, SqlaTimeoutError)


@dataclass(frozen=True)
class Accepted:
    status: int
    body: dict[str, Any]
    created: bool


def accepted_body(external_id: str, job_id: int | None, status: str, client: str) -> dict[str, Any]:
    return {"call_id": external_id, "job_id": str(job_id) if job_id is not None else None, "status": status,
            "status_url": api_status_url(external_id, client)}


def previous_delivery(db: Database, client: str, webhook_id: str) -> Accepted | None:
    """The stored answer to an earlier delivery with the same webhook id, if any (a read: waits for no writer)."""
    with db.read_session() as s:
        d = find_delivery(s, client, webhook_id)
        return Accepted(d.status_code, dict(d.response), created=False) if d else None


def accept_call(db: Database, blobs: BlobStore, settings: Any, *, client: str, webhook_id: str,
                meta: CallMetadata, audio_bytes: bytes, audio: DecodedAudio) -> Accepted:
    """Store the recording and queue its job, or return the original answer for a retry."""
    call_uuid = uuid.uuid4()
    blob_key = call_blob_key(call_uuid, ArtefactKind.ORIGINAL_AUDIO.value)
    now = utcnow()
    # Usually "0 days": the sweeper never touches a call with an active job, and the job itself deletes the
    # original as soon as the redacted audio is stored.
    tag = tags_for(ArtefactKind.ORIGINAL_AUDIO, (), now, opt_ins=opt_ins_from_settings(settings))
    _store_blob(blobs, blob_key, audio_bytes)
    try:
        with db.session() as s:
            creation = create_call_with_job(
                s, client=client, external_id=meta.call_id, audio_sha256=audio.sha256, call_id=call_uuid,
                meta=CallMeta(started_at=meta.started_at, direction=meta.direction, queue=meta.queue,
                              agent_id=meta.agent_id, channels=meta.channels or {}, duration_s=audio.duration),
                original_audio=ArtefactRecord(
                    kind=ArtefactKind.ORIGINAL_AUDIO.value, blob_key=blob_key, sha256=audio.sha256,
                    size=len(audio_bytes), content_type="application/octet-stream",
                    data_category=category_for_artefact(ArtefactKind.ORIGINAL_AUDIO), source="telephony",
                    tag=tag),
                now=now)
            call, job = creation.call, creation.job
            if not creation.created and call.audio_sha256 != audio.sha256:
                raise CallConflict("this call_id was already delivered with different audio")
            if creation.created:
                for kind, value in _metadata_identifiers(meta):
                    try:
                        subject_index.add(s, call, kind, value, role=subject_index.PARTY)
                    except subject_index.InvalidIdentifier:
                        log.info("call %s: metadata %s not indexable", call.id, kind)
            job = job or latest_job(s, call.id)
            body = accepted_body(meta.call_id, job.id if job else None,
                                 job.state if job and not creation.created else "queued", client)
            stored, _ = record_delivery(s, client=client, webhook_id=webhook_id, call_id=call.id,
                                        status_code=202, response=body, now=now)
            result = Accepted(stored.status_code, dict(stored.response), created=creation.created)
    except DB_UNAVAILABLE as exc:
        _discard_blob(blobs, blob_key)
        log.warning("ingest: database unavailable (%s)", type(exc).__name__)
        raise StoreUnavailable("the database is unavailable; retry later") from exc
    except BaseException:
        _discard_blob(blobs, blob_key)
        raise
    if not result.created:
        _discard_blob(blobs, blob_key)  # a retry: the first delivery's blob is the one the job reads
    return result


def _store_blob(blobs: BlobStore, key: str, data: bytes) -> None:
    """Write the encrypted recording, turning a storage failure into an answer the sender will retry."""
    try:
        blobs.put(key, data)
    except OSError as exc:
        log.warning("ingest: audio store write failed (%s)", errno.errorcode.get(exc.errno or 0, "OSError"))
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull("the audio store is full; retry later") from None
        raise AudioStoreUnavailable("the audio store cannot be written; retry later") from None
    except BlobError as exc:  # the S3 backend's typed errors
        log.warning("ingest: audio store write failed (%s)", type(exc).__name__)
        raise AudioStoreUnavailable("the audio store cannot be written; retry later") from None


def _discard_blob(blobs: BlobStore, key: str) -> None:
    """Best effort: an orphan blob (no row points at it) is harmless, a masked original error is not."""
    try:
        blobs.delete(key)
    except (OSError, BlobError) as exc:
        log.warning("ingest: could not remove an unreferenced blob (%s)", type(exc).__name__)


def _metadata_identifiers(meta: CallMetadata) -> list[tuple[str, str]]:
    pairs = [("phone", v) for v in (meta.caller, meta.callee) if v]
    if meta.customer_number:
        pairs.append(("customer_number", meta.customer_number))
    return pairs
