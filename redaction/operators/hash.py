"""Replace a span with a keyed hash: HMAC-SHA256 over the normalised value, truncated, e.g. ``[HETU:3fa1…]``.

Stable across calls for the same key (lets analysts join calls about one subject) and useless without the
key: an unkeyed hash of a HETU or phone number is reversible by enumeration, so a key is mandatory.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from redaction.entities import label
from redaction.operators.base import Operator, RedactionState, identity_key
from redaction.types import Span


class MissingHashKey(ValueError):
    """The hash operator was configured without a key."""


@dataclass(frozen=True)
class Hash(Operator):
    name = "hash"
    key: bytes = field(repr=False, default=b"")
    length: int = 16  # hex characters kept (64 bits)

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise MissingHashKey("hash operator needs a key of at least 16 bytes")

    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        digest = hmac.new(self.key, identity_key(span.type, value).encode(), hashlib.sha256).hexdigest()
        return f"[{label(span.type)}:{digest[: self.length]}]"
