"""The call document: the one typed shape of a call that readers get, from the API, the UI and tests alike.

``GET /v1/calls/{id}`` returns it as JSON (its OpenAPI schema is these models), the call page renders it, and
both read it from ``service.calls.views.call_document``. It holds only redacted data (see that module).

Words keep the stored form (``service.store.records.StoredWord``): ``p`` only for a heard word with a
probability and ``redacted`` only when true, a ``TypedDict`` with optional keys rather than a model that would
print ``null``/``false`` for every one of a long call's words.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.store.records import StoredWord as Word


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class JobSummary(_Record):
    id: str
    state: str
    attempts: int
    last_error: str | None  # a PII-free reason: the stage and the exception type
    next_attempt_at: str | None
    finished_at: str | None


class CallFacts(_Record):
    """What the telephony system said about the call, and where it stands."""

    client: str
    started_at: str | None
    direction: str | None
    queue: str | None
    agent_id: str | None
    channels: dict[str, str]  # channel index → speaker
    duration_s: float | None
    audio_digest: str  # keyed HMAC of the recording, the same value the provenance shows
    restricted: bool
    legal_hold: bool
    received_at: str | None


class TurnView(_Record):
    turn: int
    speaker: str
    channel: int
    start: float
    end: float
    text: str  # redacted
    words: list[Word] = []


class EntityView(_Record):
    """A redacted identifier: offsets into its turn's redacted text, and where it was heard."""

    turn: int
    type: str
    start: int
    end: int
    t_start: float | None
    t_end: float | None
    score: float
    recognizer: str  # ``human_reviewer`` for a reported miss
    operator: str | None
    category: str


class ModelRef(_Record):
    model: str | None
    version: str | None
    sha256: str | None


class ClassificationView(_Record):
    kind: str  # call_reason | pii_category
    label: str
    score: float | None
    method: str
    provenance: ModelRef | None


class Agent(_Record):
    """Who or what acted: software or a model (``models.provenance.ModelInfo``, ``settings`` its own
    configuration), or a person (a reviewer or privacy officer: their account name and ``role``)."""

    name: str
    kind: str = "software"  # software | model | person
    version: str | None = None
    sha256: str | None = None
    settings: dict[str, Any] = {}
    role: str | None = None


class ProvenanceEntry(_Record):
    """One stage's run, W3C PROV-like: what it used and generated, by keyed digest."""

    stage: str
    start_time: str | None = Field(alias="startTime")
    end_time: str | None = Field(alias="endTime")
    agent: Agent
    used: dict[str, str]
    generated: dict[str, str]
    artefact_id: int | None


class RetentionRow(_Record):
    """One stored artefact of the call and why it is kept, until when."""

    artefact: str
    data_category: str
    source: str
    policy: str
    purpose: str
    legal_basis: str
    retain_until: str | None
    legal_hold: bool


class CorrectionProvenance(_Record):
    activity: str
    agent: Agent
    end_time: str | None = Field(alias="endTime")


class Correction(_Record):
    """A rectification (GDPR art. 16): the turn keeps its original text, the correction sits beside it."""

    turn: int
    original_text: str
    corrected_text: str
    redacted_types: list[str]
    request_id: str | None
    provenance: CorrectionProvenance


class CallDocument(_Record):
    """A call as a reader may see it: status, and once processed its redacted transcript and every fact about it."""

    call_id: str
    status: str
    job: JobSummary | None
    call: CallFacts
    turns: list[TurnView] = []
    entities: list[EntityView] = []
    classifications: list[ClassificationView] = []
    provenance: list[ProvenanceEntry] = []
    retention: list[RetentionRow] = []
    corrections: list[Correction] = []

    def as_json(self) -> dict[str, Any]:
        """The JSON form the API has always returned (PROV's ``startTime``/``endTime`` spelt as PROV spells them)."""
        return self.model_dump(mode="json", by_alias=True)
