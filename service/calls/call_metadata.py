"""The webhook's call metadata: the contract between the telephony system and ingest.

Why here and not in ``service.api.schemas``: ``service.calls.ingest`` and ``service.calls.demo`` take it as their input,
and the domain must not depend on the HTTP layer. ``service.api.schemas`` re-exports it for the OpenAPI
models.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CALL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
SPEAKERS = {"agent", "customer", "unknown"}
# Explicit directional embeddings, overrides and isolates (and the Arabic letter mark): they reorder how a
# string is displayed. Plain right-to-left text needs none of them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class CallMetadata(BaseModel):
    """The ``metadata`` JSON part of the webhook. Caller/callee/customer number are personal data: they are
    indexed (keyed HMAC) for subject requests and never stored in clear."""

    model_config = ConfigDict(extra="ignore", str_max_length=256)

    call_id: str = Field(pattern=CALL_ID_PATTERN, description="The telephony system's id of the call")
    started_at: datetime | None = None
    direction: Literal["inbound", "outbound", "internal"] | None = None
    caller: str | None = None
    callee: str | None = None
    agent_id: str | None = Field(default=None, max_length=128)
    queue: str | None = Field(default=None, max_length=128)
    customer_number: str | None = Field(default=None, max_length=64)
    channels: dict[str, str] | None = Field(default=None, description='e.g. {"0": "agent", "1": "customer"}')
    audio_format: Literal["mulaw", "alaw"] | None = Field(
        default=None, description="Set only for raw headerless 8 kHz G.711 audio")

    @field_validator("call_id", "caller", "callee", "agent_id", "queue", "customer_number")
    @classmethod
    def _printable(cls, v: str | None) -> str | None:
        # NUL breaks PostgreSQL text columns, a lone surrogate cannot be encoded for any database, and
        # bidi overrides make a queue or agent name display as something else in the UI: refuse them all.
        if v is not None and any(unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS for c in v):
            raise ValueError("control, bidi-override or surrogate characters are not allowed")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        if v is None:
            return v
        if not v or len(v) > 2:
            raise ValueError("channels maps channel index 0 or 1 to a speaker")
        for k, s in v.items():
            if k not in ("0", "1"):
                raise ValueError("channel index must be 0 or 1")
            if s not in SPEAKERS:
                raise ValueError(f"speaker must be one of {sorted(SPEAKERS)}")
        return v

    def channel_map(self) -> dict[int, str] | None:
        return {int(k): v for k, v in self.channels.items()} if self.channels else None
