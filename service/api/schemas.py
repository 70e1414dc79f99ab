"""Request and response shapes at the HTTP boundary (pydantic), documented in the OpenAPI spec."""

from __future__ import annotations

from pydantic import BaseModel

from service.calls.call_metadata import BIDI_CONTROLS, CALL_ID_PATTERN, SPEAKERS, CallMetadata
from service.calls.document import CallDocument

__all__ = [
    "BIDI_CONTROLS",
    "CALL_ID_PATTERN",
    "CLIENT_NAME_PATTERN",
    "SPEAKERS",
    "Accepted",
    "CallDocument",
    "CallMetadata",
    "Problem",
]

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
