"""Human labels for every code the UI shows, in the page's language, and where each vocabulary's codes come from.

Most labels live in ``service.ui.i18n.MESSAGES`` under ``<vocabulary>.<code>``. The register's own words (legal
bases, purposes, data categories) are read from ``register.yaml``, which already names each in Finnish and
English, so the privacy notice and the UI cannot drift apart. ``VOCABULARIES`` names the source of every
vocabulary's codes: ``tests/ui/test_labels.py`` checks that each code has a label in both languages, so a new
code without one fails CI instead of showing up raw in a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import yaml

from models.classify import DEFAULT_PII_MAP, DEFAULT_TAXONOMY, load_taxonomy
from redaction import registry
from redaction.entities import SPECS
from redaction.entities import label as placeholder_label
from service.calls.review import HUMAN_RECOGNIZER, REVIEW_STAGE, reportable_types
from service.privacy.register import get_register
from service.privacy.retention import get_retention
from service.store.kinds import ArtefactKind, CallStatus, Role
from service.ui.i18n import LANGS, MESSAGES, RIGHTS_CHANNELS, RIGHTS_KINDS
from service.ui.listing import RETENTION_STATES

# Classification methods models/classify.py writes; the classifier has no list of them to import.
CLASSIFIER_METHODS = ("lexicon", "rule", "fallback")
# Provenance stages the pipeline and the review write (``transcribe:channel<n>`` once per channel).
STAGES = ("transcribe:channel0", "transcribe:channel1", "detect_and_redact_text", "redact_audio", "self_verify",
          "classify", "detect_rights", REVIEW_STAGE)
_TRANSCRIBE = "transcribe:channel"
# A vocabulary whose codes may also be another's: the call's data categories are the classifier's
# (pii_categories_fi.yaml) or, in older data, the register's own.
_ALSO = {"pii_category": "category"}


def identifier_types() -> list[str]:
    """Every identifier type a call's row can show: the detector's table first, then any type only the register
    names (in the order people see them)."""
    return [*SPECS, *(t for t in reportable_types() if t not in SPECS)]


def _pii_categories() -> list[str]:
    raw = yaml.safe_load(DEFAULT_PII_MAP.read_text(encoding="utf-8"))
    found = {c for cats in raw["entity_types"].values() for c in cats} | set(raw.get("unknown", []))
    return sorted(found)


VOCABULARIES: dict[str, Callable[[], Iterable[str]]] = {
    "status": lambda: [s.value for s in CallStatus],
    "role": lambda: [r.value for r in Role],
    "direction": lambda: ["inbound", "outbound", "internal"],
    "speaker": lambda: ["agent", "customer", "unknown"],
    "entity": identifier_types,
    "reason": lambda: load_taxonomy(DEFAULT_TAXONOMY).keys,
    "kind": lambda: ["call_reason", "pii_category", "rights_request"],
    "rights_request": lambda: [*RIGHTS_KINDS, *(f"{k}:{c}" for k in RIGHTS_KINDS if k.startswith("marketing")
                                                for c in RIGHTS_CHANNELS)],
    "pii_category": _pii_categories,
    "classifier_method": lambda: CLASSIFIER_METHODS,
    "artefact": lambda: [k.value for k in ArtefactKind],
    "policy": lambda: list(get_retention().policies),
    "legal_basis": lambda: list(get_register().legal_bases),
    "purpose": lambda: list(get_register().purposes),
    "category": lambda: list(get_register().data_categories),
    "recognizer": lambda: [*registry.names(), HUMAN_RECOGNIZER],
    "retention": lambda: RETENTION_STATES,
    "stage": lambda: STAGES,
}


@cache
def register_labels() -> dict[str, tuple[str, str]]:
    """``legal_basis.sopimus`` → ("Sopimus", "Contract"), and the same for purposes and data categories."""
    reg = get_register()
    out: dict[str, tuple[str, str]] = {}
    for prefix, section in (("legal_basis", reg.legal_bases), ("purpose", reg.purposes),
                            ("category", reg.data_categories)):
        for key, item in section.items():
            out[f"{prefix}.{key}"] = (item.name, item.name_en)
    return out


def label(lang: str, prefix: str | None, value: str | None) -> str:
    """The label of ``value`` in the vocabulary ``prefix``, in ``lang``; an unknown code shows as itself."""
    if value is None:
        return "–"
    if prefix == "stage" and value.startswith(_TRANSCRIBE) and value[len(_TRANSCRIBE):].isdigit():
        return MESSAGES["stage.transcribe"][LANGS.index(lang)].format(n=int(value[len(_TRANSCRIBE):]) + 1)
    for vocabulary in (prefix, _ALSO.get(prefix or "")):
        key = f"{vocabulary}.{value}"
        pair = MESSAGES.get(key) or register_labels().get(key)
        if pair:
            return pair[LANGS.index(lang)]
    return value


def chip(lang: str, entity_type: str) -> str:
    """A redaction chip's text: the transcript's placeholder in Finnish (HETU, PUHELIN), a word in English."""
    pair = MESSAGES.get(f"chip.{entity_type}")
    return pair[LANGS.index(lang)] if pair else placeholder_label(entity_type)
