"""Plain input records the pipeline hands to the repositories (no ORM objects cross that line).

They hold only what may be stored: redacted text, offsets of placeholders, ids, tags. ``RetentionTag`` lives
here (not in ``service.privacy.retention``) so that the store does not depend on the policy engine that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired

from typing_extensions import TypedDict

from models.provenance import Activity


class StoredWord(TypedDict):
    """A redacted word as stored with its turn and shown to readers (``service.calls.document.TurnView``);
    made by ``service.pipeline.result.RedactedWord.to_dict``."""

    start: float
    end: float
    text: str
    char_start: NotRequired[int]  # absent only in rows stored before words carried offsets
    char_end: NotRequired[int]
    p: NotRequired[float]
    redacted: NotRequired[bool]


@dataclass(frozen=True)
class RetentionTag:
    """The retention decision for one artefact: which policy, for which purpose, on which basis, how long."""

    policy: str
    purpose: str
    legal_basis: str
    retain_until: datetime
    legal_hold: bool = False


@dataclass(frozen=True)
class CallMeta:
    """Non-PII call metadata from the telephony system (numbers are never stored here)."""

    started_at: datetime | None = None
    direction: str | None = None  # inbound | outbound
    queue: str | None = None
    agent_id: str | None = None
    channels: dict[str, str] = field(default_factory=dict)  # channel index (as str) -> speaker role
    duration_s: float | None = None


@dataclass(frozen=True)
class ArtefactRecord:
    kind: str
    data_category: str
    source: str
    tag: RetentionTag
    blob_key: str | None = None
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class TurnRecord:
    idx: int
    speaker: str
    channel: int
    start_s: float
    end_s: float
    text: str  # redacted
    words: tuple[StoredWord, ...] = ()  # redacted words with times


@dataclass(frozen=True)
class EntityRecord:
    """Offsets are into the *redacted* turn text (where the placeholder sits)."""

    turn_idx: int
    type: str
    start: int
    end: int
    score: float
    recognizer: str
    category: str
    t_start: float | None = None
    t_end: float | None = None
    operator: str | None = None
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClassificationRecord:
    kind: str  # call_reason | pii_categories | ...
    label: str
    method: str
    score: float | None = None
    artefact_kind: str | None = "classification"  # the artefact it is stored under (for retention)
    value: float | None = None  # a conversation measure's number (``service.pipeline.analytics``)
    unit: str | None = None


@dataclass(frozen=True)
class ProvenanceRecord:
    activity: Activity
    artefact_kind: str | None = None  # None: the first artefact kind named in activity.generated, if any


@dataclass(frozen=True)
class RightsItemRecord:
    """A request said in the call, as the pipeline found it (evidence only; cue words from redacted text)."""

    kind: str
    channel: str | None
    turn_idx: int
    t_start: float
    t_end: float
    cues: tuple[str, ...]
    score: float
    method: str
