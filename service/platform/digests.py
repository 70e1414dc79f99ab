"""Keyed digests for provenance and for what readers see.

A plain sha256 of a redacted transcript is reversible while the transcript still holds an identifier the
pipeline missed: a reader who sees the placeholder after a report knows every other character and can
enumerate the few thousand candidate HETUs (the security review did so in 0.34 s). A plain sha256 of a
recording lets anyone who holds the recording confirm it is in the register. So every such digest is an
HMAC under a key derived from the index key, with its own label: the same key the raw-text digests use.
Digests still prove integrity to whoever holds the key, and nothing to anybody else.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

PROVENANCE_LABEL = b"puheturva/provenance-digest/v1"
OPERATOR_HASH_LABEL = b"puheturva/operator-hash/v1"
KEYED_PREFIX = "hmac-sha256:"


def provenance_key(settings: Any) -> bytes:
    """The digest key: HMAC(index key, label), so there is one secret fewer to manage and rotate."""
    return hmac.new(settings.index_key_bytes(), PROVENANCE_LABEL, hashlib.sha256).digest()


def operator_hash_key(settings: Any) -> bytes:
    """The key of the ``hash`` redaction operator: HMAC(index key, its own label). Never the index key itself, so
    a hashed placeholder in a transcript cannot be matched against the subject index's terms."""
    return hmac.new(settings.index_key_bytes(), OPERATOR_HASH_LABEL, hashlib.sha256).digest()


def current_key() -> bytes:
    """``provenance_key`` of the running service's settings."""
    from service.platform.config import get_settings

    return provenance_key(get_settings())


def text_digest(text: str, key: bytes) -> str:
    """``hmac-sha256:<hex>`` of ``text``; ``sha256:<hex>`` only without a key (the CLI outside a service)."""
    if not key:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return KEYED_PREFIX + hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def audio_digest(sha256_hex: str, key: bytes) -> str:
    """The keyed digest of a recording, computed from its sha256 so that the call row (which keeps the
    sha256 for webhook retries) and the provenance show the same value."""
    return text_digest("audio-sha256:" + sha256_hex, key)
