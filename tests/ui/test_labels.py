"""Every code a page can show has a human label in Finnish and English (review J1 #3: raw codes in the UI).

The templates' ``label("<vocabulary>", …)`` calls name the vocabularies; ``service.ui.vocabulary.VOCABULARIES``
names where each one's codes come from (enums, the register, the retention file, the recogniser registry). A
template that labels a new vocabulary, or a new code in a known one, without a label in both languages fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from redaction.entities import SPECS
from redaction.entities import label as placeholder_label
from service.ui import vocabulary
from service.ui.i18n import LANGS, MESSAGES

TEMPLATES = Path(vocabulary.__file__).resolve().parent / "templates"
LABEL_CALL = re.compile(r"""\blabel\(\s*["'](\w+)["']""")
# Vocabularies labelled through a variable prefix (``label(k.kind, k.label)``): the classification kinds.
DYNAMIC = {"pii_category", "rights_request"}


def template_vocabularies() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        found |= set(LABEL_CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_labelled_vocabulary_has_a_source_of_codes() -> None:
    used = template_vocabularies()
    assert {"status", "role", "entity", "artefact", "policy", "legal_basis", "recognizer"} <= used
    assert used - set(vocabulary.VOCABULARIES) == set(), "add the vocabulary's codes to VOCABULARIES"


@pytest.mark.parametrize("prefix", sorted(vocabulary.VOCABULARIES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_code_has_a_human_label(prefix: str, lang: str) -> None:
    codes = list(vocabulary.VOCABULARIES[prefix]())
    assert codes, prefix
    raw = [c for c in codes if vocabulary.label(lang, prefix, c) in ("", c)]
    assert raw == [], f"{prefix}: no {lang} label for {raw}"


def test_dynamic_vocabularies_are_known() -> None:
    assert set(vocabulary.VOCABULARIES) >= DYNAMIC
    assert set(vocabulary.VOCABULARIES["kind"]()) - {"call_reason"} <= DYNAMIC


def test_chips_read_as_the_transcript_in_finnish_and_in_english_in_the_english_ui() -> None:
    for t in SPECS:
        assert vocabulary.chip("fi", t) == placeholder_label(t), "the Finnish chip is the transcript's placeholder"
    for t in vocabulary.identifier_types():
        assert vocabulary.chip("en", t) and f"chip.{t}" in MESSAGES
    assert [vocabulary.chip("en", t) for t in ("HETU", "PHONE", "PERSON")] == ["PIC", "PHONE", "NAME"]


def test_the_identifier_filter_lists_every_type_a_row_can_show() -> None:
    assert set(SPECS) <= set(vocabulary.identifier_types())
    assert "NUMBER" in vocabulary.identifier_types()


def test_register_words_come_from_the_register() -> None:
    assert vocabulary.label("fi", "legal_basis", "oikeutettu_etu") == "Oikeutettu etu"
    assert vocabulary.label("en", "purpose", "laadunvarmistus") == "Quality assurance"
    assert vocabulary.label("en", "recognizer", "no_such_recogniser") == "no_such_recogniser"
    assert vocabulary.label("fi", "status", None) == "–"
