"""The register description (privacy notice) as validated data: purposes, legal bases, data categories.

Everything the service stores is tagged with a data category from here, so that the notice and the
database describe the same thing. ``register.yaml`` is validated at start-up: a purpose that names an
unknown legal basis, an artefact kind without a category, or an entity type in two categories is an error
that names the offending key.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.platform.durations import Duration, parse_duration
from service.platform.yaml_models import load_yaml_model
from service.store.kinds import ArtefactKind

log = logging.getLogger(__name__)

CALL_FIELDS = frozenset({"started_at", "direction", "queue", "agent_id", "duration_s", "channels"})
# What the service records about its own processing (tables, not call content). Each is in one data
# category here and has a retention under ``records:`` in retention.yaml (``service.privacy.retention``).
RECORD_KINDS = frozenset({"webhook_deliveries", "subject_requests", "tombstones", "audit_log", "marketing_choices"})
_KEY = r"^[a-z][a-z0-9_]*$"


class RegisterError(ValueError):
    """The register file is unreadable or inconsistent; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Controller(_Strict):
    name: str
    business_id: str
    address: str
    contact: str


class ContactPerson(_Strict):
    title: str
    contact: str


class LegalBasis(_Strict):
    name: str
    name_en: str
    gdpr_article: str
    description: str


class Purpose(_Strict):
    name: str
    name_en: str
    legal_bases: list[str] = Field(min_length=1)
    description: str


class DataCategory(_Strict):
    name: str
    name_en: str
    description: str
    entity_types: list[str] = []
    artefact_kinds: list[ArtefactKind] = []
    call_fields: list[str] = []
    record_kinds: list[str] = []
    sources: list[str] = []  # keys of ``sources``: where the data comes from, when the notice names it
    purposes: list[str] = Field(min_length=1)
    default_retention: str

    @field_validator("default_retention")
    @classmethod
    def _duration(cls, v: str) -> str:
        parse_duration(v)
        return v

    @property
    def retention(self) -> Duration:
        return parse_duration(self.default_retention)


class Source(_Strict):
    name: str
    name_en: str
    description: str


class Recipient(_Strict):
    name: str
    description: str


class Register(_Strict):
    name: str
    updated: str
    controller: Controller
    contact_person: ContactPerson
    legal_bases: dict[str, LegalBasis]
    purposes: dict[str, Purpose]
    data_categories: dict[str, DataCategory]
    unmapped_entity_category: str
    sources: dict[str, Source]
    recipients: list[Recipient]
    transfers: str
    security: list[str]
    rights: list[str]

    @model_validator(mode="after")
    def _references(self) -> Register:
        for section in ("legal_bases", "purposes", "data_categories", "sources"):
            for key in getattr(self, section):
                if not re.match(_KEY, key):
                    raise ValueError(f"{section}.{key}: keys are lower-case ASCII identifiers")
        for key, p in self.purposes.items():
            for b in p.legal_bases:
                if b not in self.legal_bases:
                    raise ValueError(f"purposes.{key}: unknown legal basis {b!r}")
        seen_kinds: dict[str, str] = {}
        seen_types: dict[str, str] = {}
        seen_records: dict[str, str] = {}
        for key, c in self.data_categories.items():
            for purpose in c.purposes:
                if purpose not in self.purposes:
                    raise ValueError(f"data_categories.{key}: unknown purpose {purpose!r}")
            for src in c.sources:
                if src not in self.sources:
                    raise ValueError(f"data_categories.{key}: unknown source {src!r}")
            for f in c.call_fields:
                if f not in CALL_FIELDS:
                    raise ValueError(f"data_categories.{key}: unknown call field {f!r}")
            for r in c.record_kinds:
                if r not in RECORD_KINDS:
                    raise ValueError(f"data_categories.{key}: unknown record kind {r!r}")
                if r in seen_records:
                    raise ValueError(f"record kind {r!r} is in both {seen_records[r]!r} and {key!r}")
                seen_records[r] = key
            for k in c.artefact_kinds:
                if k in seen_kinds:
                    raise ValueError(f"artefact kind {k.value!r} is in both {seen_kinds[k]!r} and {key!r}")
                seen_kinds[k] = key
            for t in c.entity_types:
                if t in seen_types:
                    raise ValueError(f"entity type {t!r} is in both {seen_types[t]!r} and {key!r}")
                seen_types[t] = key
        missing = sorted(k.value for k in ArtefactKind if k not in seen_kinds)
        if missing:
            raise ValueError(f"artefact kinds without a data category: {', '.join(missing)}")
        missing = sorted(RECORD_KINDS - set(seen_records))
        if missing:
            raise ValueError(f"record kinds without a data category: {', '.join(missing)}")
        if self.unmapped_entity_category not in self.data_categories:
            raise ValueError(f"unmapped_entity_category: unknown category {self.unmapped_entity_category!r}")
        return self

    def category_for_entity(self, entity_type: str) -> str:
        """The data category key of an entity type (an unmapped type gets ``unmapped_entity_category``)."""
        for key, c in self.data_categories.items():
            if entity_type in c.entity_types:
                return key
        log.warning("entity type %s has no data category in the register; using %s",
                    entity_type, self.unmapped_entity_category)
        return self.unmapped_entity_category

    def category_for_artefact(self, kind: ArtefactKind | str) -> str:
        kind = ArtefactKind(kind)
        return next(key for key, c in self.data_categories.items() if kind in c.artefact_kinds)

    def check_purpose(self, purpose: str, legal_basis: str) -> None:
        """Raise ``RegisterError`` unless ``purpose`` exists and allows ``legal_basis``."""
        p = self.purposes.get(purpose)
        if p is None:
            raise RegisterError(f"unknown purpose {purpose!r}")
        if legal_basis not in p.legal_bases:
            raise RegisterError(f"purpose {purpose!r} does not name legal basis {legal_basis!r}")


def load_register(path: Path) -> Register:
    """Read and validate a register file; every problem becomes a ``RegisterError`` naming file and key."""
    return load_yaml_model(path, Register, "register", RegisterError)


@lru_cache(maxsize=4)
def _cached(path: str) -> Register:
    return load_register(Path(path))


def get_register() -> Register:
    """The register named by the settings (cached per path)."""
    from service.platform.config import get_settings

    return _cached(str(get_settings().register_file))


def category_for_entity(entity_type: str) -> str:
    return get_register().category_for_entity(entity_type)


def category_for_artefact(kind: ArtefactKind | str) -> str:
    return get_register().category_for_artefact(kind)
