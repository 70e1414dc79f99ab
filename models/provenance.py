"""Provenance records every pipeline stage emits, in the W3C PROV shape (activity, agent, used, generated).

Kept as plain frozen dataclasses so they can be stored as JSON as they are and compared in tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ModelInfo:
    """The agent of an activity: a model (or a rule set, or a human reviewer) and how it was configured."""

    name: str
    version: str
    sha256: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    kind: str = "software"  # software | model | person


@dataclass(frozen=True)
class Activity:
    """One run of one stage: what it used (by sha256) and what it generated (by name → sha256)."""

    stage: str
    started_at: datetime
    ended_at: datetime
    agent: ModelInfo
    used: dict[str, str] = field(default_factory=dict)
    generated: dict[str, str] = field(default_factory=dict)

    def to_prov(self) -> dict[str, Any]:
        """Serialise as a small PROV-JSON-like dict (ISO 8601 UTC times)."""
        return {
            "activity": {"stage": self.stage, "startTime": self.started_at.isoformat(),
                         "endTime": self.ended_at.isoformat()},
            "agent": asdict(self.agent),
            "used": dict(self.used),
            "generated": dict(self.generated),
        }
