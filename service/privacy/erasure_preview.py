"""What an erasure will do, shown before it is done, and the token that confirms exactly that preview.

Approving an erasure is irreversible, so the approving officer first sees, call by call, what will be deleted
and what kept and why (legal hold, a legal obligation, still processing, or only a mention in another
person's call). The confirmation carries a token bound to the request, the officer and this preview: if
anything changed in between (a hold was put on, a call was attached), the token no longer matches and the
officer sees the new preview instead of an erasure they did not review.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.errors import Conflict
from service.privacy.register import Register, get_register
from service.privacy.subjects import (
    _RAW_KINDS,
    MENTION,
    _legal_obligation_bases,
    match_of,
)
from service.store.models import Call, SubjectRequest
from service.store.repo_jobs import has_active_job

CONFIRM_LABEL = b"puheturva/erasure-confirm/v1"


class PreviewChanged(Conflict, ValueError):
    """The confirmation does not match the current preview (or is missing): show the preview again."""

    code = "erasure_preview_changed"


@dataclass(frozen=True)
class PreviewCall:
    """One call of the request: ``action`` is ``delete``, ``keep``, ``mention`` (the call stays, the mention
    goes) or ``gone`` (already deleted); ``reason`` says why a call or artefact is kept."""

    call_id: str
    action: str
    reason: str | None
    delete_artefacts: tuple[str, ...]
    keep_artefacts: tuple[str, ...]


@dataclass(frozen=True)
class ErasurePreview:
    request_id: str
    calls: tuple[PreviewCall, ...]

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def token(self, actor: str, key: bytes) -> str:
        msg = f"{self.request_id}\x00{actor}\x00{self.digest()}".encode()
        return hmac.new(key, msg, hashlib.sha256).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def confirm_key(settings: Any | None = None) -> bytes:
    if settings is None:
        from service.platform.config import get_settings

        settings = get_settings()
    return hmac.new(settings.index_key_bytes(), CONFIRM_LABEL, hashlib.sha256).digest()


def preview_erasure(session: Session, req: SubjectRequest, *, now: datetime | None = None,
                    register: Register | None = None) -> ErasurePreview:
    """The same decisions ``subjects._erase`` will take, made without changing anything."""
    now = now or utcnow()
    obligation = _legal_obligation_bases(register or get_register())
    out = []
    for m in req.matched_calls:
        call = session.get(Call, uuid.UUID(m["id"]))
        out.append(_preview_call(session, call, m, obligation, now))
    return ErasurePreview(request_id=str(req.id), calls=tuple(out))


def _preview_call(session: Session, call: Call | None, m: dict[str, Any], obligation: set[str],
                  now: datetime) -> PreviewCall:
    ref = str(m.get("call_id") or "")
    if call is None:
        return PreviewCall(ref, "gone", None, (), ())
    live = sorted((a for a in call.artefacts if a.deleted_at is None), key=lambda a: a.kind)
    kinds = tuple(a.kind for a in live)
    held = call.legal_hold or any(a.legal_hold for a in live)
    if match_of(m) == MENTION:
        raw = tuple(a.kind for a in live if a.kind in _RAW_KINDS and not held)
        return PreviewCall(ref, "mention", "mention_only", raw, tuple(k for k in kinds if k not in raw))
    if held:
        return PreviewCall(ref, "keep", "legal_hold", (), kinds)
    if has_active_job(session, call.id):
        return PreviewCall(ref, "keep", "processing", (), kinds)
    required = [a for a in live if a.legal_basis in obligation and a.retain_until > now]
    if required:
        keep = tuple(a.kind for a in required)
        return PreviewCall(ref, "keep", "legal_obligation", tuple(k for k in kinds if k not in keep), keep)
    return PreviewCall(ref, "delete", None, kinds, ())


def check_confirmation(preview: ErasurePreview, token: str | None, actor: str, key: bytes) -> None:
    """``PreviewChanged`` unless ``token`` confirms exactly this preview for this officer."""
    if not token or not hmac.compare_digest(token, preview.token(actor, key)):
        raise PreviewChanged("the erasure changed since its preview; review it again")
