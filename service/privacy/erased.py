"""Which calls were erased on a subject's request, kept so that their old links say so (review Journey 3).

Only a keyed digest of ``(client, telephony call id)`` is stored with the date and the request's id: the
telephony id maps straight back to the caller in the telephony system's records, so it must not stay
readable after an erasure (security review #11). A URL's id is looked up by computing its digest under
each known client.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.platform.digests import text_digest
from service.store.models import ErasedCall
from service.store.repo_retention import latest_erasure

ERASED_CALL_LABEL = b"puheturva/erased-call/v1"


def erased_key(settings: Any | None = None) -> bytes:
    """HMAC(index key, own label): one secret fewer, and the digests match nothing else we store."""
    if settings is None:
        from service.platform.config import get_settings

        settings = get_settings()
    return hmac.new(settings.index_key_bytes(), ERASED_CALL_LABEL, hashlib.sha256).digest()


def call_digest(client: str, external_id: str, key: bytes) -> str:
    return text_digest(f"{client}\x00{external_id}", key)


@dataclass(frozen=True)
class ErasedRecord:
    """What the "erased" page may show: the date and the request, never the call's content."""

    erased_at: datetime
    request_id: uuid.UUID | None


def record_erased(session: Session, client: str, external_id: str, *, request_id: uuid.UUID | None,
                  now: datetime, key: bytes | None = None) -> None:
    """Remember that this call was erased on request (its digest only). Caller commits."""
    session.add(ErasedCall(digest=call_digest(client, external_id, key or erased_key()), erased_at=now,
                           request_id=request_id))


def find_erased(session: Session, external_id: str, clients: Iterable[str], *, key: bytes | None = None
                ) -> ErasedRecord | None:
    """The latest erasure of a call with this telephony id under any of ``clients``; None if none."""
    key = key or erased_key()
    digests = [call_digest(c, external_id, key) for c in clients]
    row = latest_erasure(session, digests)
    return ErasedRecord(erased_at=row.erased_at, request_id=row.request_id) if row else None
