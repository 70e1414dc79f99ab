"""The ``manifest.json`` of a data-subject export, schema ``puheturva.subject-export/2``, as pydantic models.

A person who asks for their data (GDPR art. 15) or takes it elsewhere (art. 20) gets a ZIP whose manifest
must mean the same thing next year: so the shape is versioned, documented in ``docs/export-manifest-v2.md``,
published as JSON Schema (``service/privacy/export_manifest_v2.schema.json``, generated from these models:
``python -m service.privacy.export_manifest``) and every export is validated against it before it leaves.
Adding an optional field keeps a version; renaming, removing or changing the meaning of one makes the next.

Version 2 (security review #4, #5): every call says how it concerns the person (``match``: party or
mention) and whether its content could be attributed to them (``attribution``); ``withheld`` turns now
include every turn not attributable to the person (not only the agent's); processing steps done by a
person name only ``person`` and the role. Version 1 (``export_manifest_v1.schema.json``) is kept for
reading exports made before.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "puheturva.subject-export/2"
SCHEMA_FILE = Path(__file__).with_name("export_manifest_v2.schema.json")
AGENT_PLACEHOLDER = "[ASIAKASPALVELIJA]"
UNATTRIBUTED_PLACEHOLDER = "[EI KOHDISTETTAVISSA]"  # "not attributable": whose words these are is unknown
MATCHING = {
    "party": "The call is yours: a phone number or customer number you gave is in the call's own data "
             "(caller, callee, customer number). You get your part of it: your turns and your audio channel.",
    "mention": "One of your identifiers was only spoken in the call, by whoever. The call may be another "
               "person's, so only its existence, its time and the kinds of identifier heard are given.",
    "attribution": "Turns and audio are yours when the recording keeps the customer on a channel of their "
                   "own. A single-channel recording mixes the voices: its audio and every turn not "
                   "attributable to you are withheld.",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Controller(_Model):
    name: str
    business_id: str
    address: str
    contact: str


class RequestInfo(_Model):
    """The request the export answers. Never the identifiers: only which kinds of identifier were given."""

    id: str
    kind: Literal["access"]
    received_at: datetime
    identifier_kinds: list[str]


class LegalBasisInfo(_Model):
    key: str
    name: str
    name_en: str
    gdpr_article: str
    description: str


class PurposeInfo(_Model):
    key: str
    name: str
    name_en: str
    description: str
    legal_bases: list[str]


class CategoryInfo(_Model):
    key: str
    name: str
    name_en: str
    description: str


class SourceInfo(_Model):
    key: str
    name: str
    name_en: str
    description: str


class RecipientInfo(_Model):
    name: str
    description: str


class RegisterInfo(_Model):
    """The register description (privacy notice) the calls were processed under: §4–§8 and §11."""

    name: str
    updated: str
    purposes: list[PurposeInfo]
    legal_bases: list[LegalBasisInfo]
    data_categories: list[CategoryInfo]
    sources: list[SourceInfo]
    recipients: list[RecipientInfo]
    transfers: str
    rights: list[str]


class TurnOut(_Model):
    turn: int
    speaker: str = Field(description="agent, customer or unknown")
    start: float
    end: float
    text: str = Field(description="Redacted text; the agent's turns are replaced by " + AGENT_PLACEHOLDER +
                      ", turns whose speaker cannot be told apart by " + UNATTRIBUTED_PLACEHOLDER)
    withheld: bool = Field(description="True when the text is not attributable to the person (the other "
                                       "party's, or of an unknown speaker) and was withheld (art. 15(4), 20(4))")


class EntityOut(_Model):
    """Where an identifier was redacted. ``start``/``end`` are offsets into the turn's text, null when the
    turn's text was withheld; ``t_start``/``t_end`` are seconds into the recording."""

    turn: int
    type: str
    category: str
    start: int | None
    end: int | None
    t_start: float | None
    t_end: float | None


class ModelRef(_Model):
    model: str | None
    version: str | None


class ClassificationOut(_Model):
    kind: str
    label: str
    score: float | None
    method: str
    provenance: ModelRef | None


class CorrectionOut(_Model):
    turn: int
    original_text: str
    corrected_text: str
    corrected_at: datetime | None
    corrected_by: Literal["person"] = Field(description="Corrections are made by a person (a privacy officer)")


class ProcessingStep(_Model):
    stage: str
    started_at: datetime | None
    ended_at: datetime | None
    agent: str | None = Field(description='The software that did it, or "person" (employees are not named)')
    agent_version: str | None
    agent_role: str | None = Field(description="The person's role when agent is \"person\", else null")


class RetentionOut(_Model):
    artefact: str
    data_category: str
    source: str
    policy: str
    purpose: str
    legal_basis: str
    retain_until: datetime
    legal_hold: bool


class PurposeRef(_Model):
    purpose: str
    legal_basis: str


class AudioOut(_Model):
    path: str | None = Field(description="Path of the WAV inside the ZIP; null when no audio is included")
    sha256: str | None
    size: int | None
    withheld_channels: list[int] = Field(description="Channels silenced or left out because they are not the "
                                                     "person's own (the agent's, or a mono mix)")
    note: str | None = None


class CallOut(_Model):
    call_id: str = Field(description="The telephony system's id of the call")
    started_at: datetime | None
    received_at: datetime
    duration_s: float | None
    direction: str | None
    queue: str | None
    status: str
    restricted: bool
    legal_hold: bool
    matched_by: list[str] = Field(description="Which kinds of the given identifiers were found for this call")
    match: Literal["party", "mention"] = Field(description="party: the person's own call (metadata); mention: "
                                                           "their identifier was only spoken in it")
    attribution: Literal["channel", "none"] = Field(
        description="channel: the person's turns and audio are told apart by channel; none: nothing of the "
                    "call's content could be attributed to them, so turns and audio are withheld")
    note: str | None = Field(description="Why content was withheld, in words")
    channels: dict[str, str]
    turns: list[TurnOut]
    entities: list[EntityOut]
    classifications: list[ClassificationOut]
    corrections: list[CorrectionOut]
    processing: list[ProcessingStep]
    retention: list[RetentionOut]
    purposes: list[PurposeRef]
    data_categories: list[str]
    sources: list[str]
    audio: AudioOut


class MatchingInfo(_Model):
    """What a match means, in words, so the manifest explains itself."""

    party: str
    mention: str
    attribution: str


class ExportManifest(_Model):
    """Root of ``manifest.json``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              json_schema_extra={"$id": "https://puheturva.invalid/schemas/subject-export-2.json"})

    schema_id: Literal["puheturva.subject-export/2"] = Field(alias="schema")
    generated_at: datetime
    controller: Controller
    request: RequestInfo
    register_info: RegisterInfo = Field(alias="register")
    matching: MatchingInfo
    calls: list[CallOut]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the manifest, as committed in ``SCHEMA_FILE``."""
    schema = ExportManifest.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the committed schema file
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
