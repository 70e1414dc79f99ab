"""Building a signed webhook delivery as a telephony system would (demo seeding, tests, benchmarks)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from service.platform.signing import signed_headers


@dataclass(frozen=True)
class SignedRequest:
    body: bytes
    headers: dict[str, str]


def multipart(metadata: dict[str, Any] | str, audio: bytes, *, filename: str = "call.wav",
              audio_type: str = "audio/wav", boundary: str | None = None) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with parts ``metadata`` (JSON) and ``audio``; returns (body, type)."""
    b = boundary or f"puheturva-{uuid.uuid4().hex}"
    meta = metadata if isinstance(metadata, str) else json.dumps(metadata, ensure_ascii=False)
    body = (
        f"--{b}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
        f"Content-Type: application/json\r\n\r\n{meta}\r\n"
        f"--{b}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"{filename}\"\r\n"
        f"Content-Type: {audio_type}\r\n\r\n"
    ).encode() + audio + f"\r\n--{b}--\r\n".encode()
    return body, f"multipart/form-data; boundary={b}"


def signed_call(secret: str, metadata: dict[str, Any] | str, audio: bytes, *, msg_id: str | None = None,
                timestamp: int | None = None, **kw: Any) -> SignedRequest:
    """A complete signed delivery of one recording."""
    body, ctype = multipart(metadata, audio, **kw)
    headers = signed_headers(secret, msg_id or f"msg_{uuid.uuid4().hex}", body, timestamp)
    return SignedRequest(body=body, headers={**headers, "content-type": ctype})
