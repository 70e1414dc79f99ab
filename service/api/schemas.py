"""Request and response shapes at the HTTP boundary (pydantic), documented in the OpenAPI spec."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.calls.call_metadata import BIDI_CONTROLS, CALL_ID_PATTERN, SPEAKERS, CallMetadata

__all__ = ["BIDI_CONTROLS", "CALL_ID_PATTERN", "CLIENT_NAME_PATTERN", "SPEAKERS", "Accepted", "CallMetadata",
           "CallView", "Problem"]

CLIENT_NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"  # as service.platform.config.TelephonyClient.name


class Accepted(BaseModel):
    call_id: str
    job_id: str
    status: str
    status_url: str


class Problem(BaseModel):
    """Error body: a stable machine code and a PII-free human reason."""

    error: str
    detail: str


class CallView(BaseModel):
    call_id: str
    status: str
    job: dict[str, Any]
    call: dict[str, Any]
    turns: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    classifications: list[dict[str, Any]] = []
    provenance: list[dict[str, Any]] = []
    retention: list[dict[str, Any]] = []
    corrections: list[dict[str, Any]] = []
