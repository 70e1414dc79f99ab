"""Standard Webhooks signing and verification over raw bytes.

The ``standardwebhooks`` library UTF-8-decodes the body before signing, so a multipart body carrying WAV bytes
cannot go through it. The scheme itself is byte-exact — HMAC-SHA256 over ``f"{id}.{timestamp}.".encode() + body``
with the base64 key after ``whsec_`` — so we implement exactly that over the raw bytes. The tests check that for
JSON bodies we agree with the library in both directions (it signs, we verify; we sign, it verifies).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"
# Our completion callbacks are signed with the client's inbound secret (the one key the telephony system holds),
# so a captured callback would verify as a delivery. Their ids live in their own namespace, refused inbound
# (review #23).
CALLBACK_ID_PREFIX = "cb_"
DEFAULT_TOLERANCE_S = 300


class SignatureError(Exception):
    """Base of verification failures; messages are safe to return to the caller."""


class MissingSignatureHeaders(SignatureError):
    pass


class StaleTimestamp(SignatureError):
    pass


class SignatureMismatch(SignatureError):
    pass


class InvalidSecret(ValueError):
    pass


def decode_secret(secret: str) -> bytes:
    """Return the HMAC key of a ``whsec_<base64>`` secret (padding optional, as the library allows)."""
    raw = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(raw + "==", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSecret("webhook secret is not valid base64") from exc
    if len(key) < 16:
        raise InvalidSecret("webhook secret must decode to at least 16 bytes")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``v1,<base64>`` signature header value for ``body``."""
    mac = hmac.new(decode_secret(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signed_headers(secret: str, msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers a sender attaches (used for our completion callbacks and by tests/benchmarks)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sign(secret, msg_id, ts, body)}


@dataclass(frozen=True)
class VerifiedMessage:
    msg_id: str
    timestamp: int
    client: str


class PendingVerification:
    """A delivery whose headers passed; the HMAC of its body is computed chunk by chunk as the body arrives.

    Why: the webhook must refuse a missing or stale signature before it reads (and holds) up to 50 MB of
    body, and must not keep a second copy of the body just to hash it (review #10).
    """

    def __init__(self, msg_id: str, timestamp: int, offered: list[bytes], secrets: Sequence[tuple[str, str]]):
        self.msg_id, self.timestamp, self._offered = msg_id, timestamp, offered
        prefix = f"{msg_id}.{timestamp}.".encode()
        self._macs = [(client, hmac.new(decode_secret(secret), prefix, hashlib.sha256)) for client, secret in secrets]

    def update(self, chunk: bytes) -> None:
        for _client, mac in self._macs:
            mac.update(chunk)

    def finish(self) -> VerifiedMessage:
        """The client whose secret signed the body; ``SignatureMismatch`` when none did (constant-time compare)."""
        for client, mac in self._macs:
            expected = mac.digest()
            if any(hmac.compare_digest(expected, sig) for sig in self._offered):
                return VerifiedMessage(msg_id=self.msg_id, timestamp=self.timestamp, client=client)
        raise SignatureMismatch("no matching signature")


def check_headers(
    headers: Mapping[str, str],
    secrets: Sequence[tuple[str, str]],
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> PendingVerification:
    """Check presence, form and freshness of the three signature headers before any body byte is read.

    Raises ``MissingSignatureHeaders``, ``StaleTimestamp`` or ``SignatureMismatch`` (no ``v1`` signature at all).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, ts_raw, sig_header = (lower.get("webhook-id"), lower.get("webhook-timestamp"),
                                  lower.get("webhook-signature"))
    if not (msg_id and ts_raw and sig_header):
        raise MissingSignatureHeaders("missing webhook-id, webhook-timestamp or webhook-signature header")
    if msg_id.startswith(CALLBACK_ID_PREFIX):
        raise SignatureMismatch("a completion callback is not a delivery")
    try:
        timestamp = int(ts_raw)
    except ValueError as exc:
        raise MissingSignatureHeaders("webhook-timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_s:
        raise StaleTimestamp(f"webhook-timestamp outside the {tolerance_s} s tolerance")
    offered = _offered_signatures(sig_header)
    if not offered:
        raise SignatureMismatch("no v1 signature in webhook-signature")
    return PendingVerification(msg_id, timestamp, offered, secrets)


def verify(
    body: bytes,
    headers: Mapping[str, str],
    secrets: Sequence[tuple[str, str]],
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> VerifiedMessage:
    """Verify ``body`` against any of the ``(client_name, secret)`` pairs; return which client signed it.

    Raises a ``SignatureError`` subclass with a PII-free reason. Comparison is constant-time per candidate.
    """
    pending = check_headers(headers, secrets, tolerance_s=tolerance_s, now=now)
    pending.update(body)
    return pending.finish()


def _offered_signatures(header: str) -> list[bytes]:
    out = []
    for part in header.split():
        version, _, value = part.partition(",")
        if version != "v1" or not value:
            continue
        try:
            out.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    return out
