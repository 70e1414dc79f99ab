"""The identifier table is complete: adding a type is its recognizer, its test and one row of ``SPECS``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from redaction import Span, registry
from redaction.entities import CHECKSUMMED, NUMBER_TYPES, SPECS, EntityType, canonical_value, label, validates
from redaction.operators import Placeholder, RedactionState
from redaction.recognizers.cues import CUES

ROOT = Path(__file__).resolve().parents[2] / "redaction"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_every_type_a_recognizer_or_cue_emits_has_a_row() -> None:
    emitted = {t for name in registry.names() for t in registry.REGISTRY[name]().entities}
    emitted |= {c.type for c in CUES if c.type is not None}
    assert emitted <= set(SPECS), sorted(emitted - set(SPECS))
    assert set(SPECS) == {t.value for t in EntityType}


@pytest.mark.parametrize("typ", list(SPECS))
def test_every_label_is_what_the_placeholder_writes(typ: str) -> None:
    span = Span(typ, 0, 1, 1.0, "test")
    assert Placeholder().replace(span, "x", RedactionState()) == f"[{SPECS[typ].label}]" == f"[{label(typ)}]"


def test_labels_are_distinct_and_unknown_types_keep_their_name() -> None:
    labels = [s.label for s in SPECS.values()]
    assert len(set(labels)) == len(labels)
    assert label("PASSPORT") == "PASSPORT"


@pytest.mark.parametrize("typ", [t for t, s in SPECS.items() if s.canonical is not None])
def test_every_written_form_reads_its_example(typ: str) -> None:
    row = SPECS[typ]
    assert row.example is not None, f"{typ}: give the row an example"
    written = canonical_value(typ, row.example)
    assert written is not None and canonical_value(typ.lower(), row.example) == written
    assert canonical_value(typ, written) == written  # the written form is a fixed point
    if row.validate is not None:
        assert validates(typ, row.example) and validates(typ, written)


def test_number_types_and_checksummed_types() -> None:
    assert set(CHECKSUMMED) <= NUMBER_TYPES
    assert CHECKSUMMED == ("HETU", "IBAN", "CARD")  # tried in this order by ``identify``
    assert {"PERSON", "EMAIL", "ADDRESS"}.isdisjoint(NUMBER_TYPES)


def test_the_table_imports_recognizers_never_the_other_way_round() -> None:
    table = _imports(ROOT / "entities.py")
    helpers = {m.rsplit(".", 1)[-1] for m in table if m.startswith("redaction.recognizers.")}
    assert helpers, "the table reads its functions from the recognizer modules"
    for name in helpers:
        assert not any(m.startswith("redaction.entities") for m in _imports(ROOT / "recognizers" / f"{name}.py")), name


def test_the_anonymiser_never_imports_the_analyzer() -> None:
    for path in [*sorted((ROOT / "operators").glob("*.py")), ROOT / "spans.py", ROOT / "entities.py"]:
        assert not any(m.startswith("redaction.analyzer") for m in _imports(path)), path.name
