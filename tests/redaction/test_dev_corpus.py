"""Recall and clean-line checks on the annotated corpora (tests/data/*_corpus_fi.txt)."""

from pathlib import Path

import pytest

from bench._corpus import read_corpus, score

DATA = Path(__file__).parents[1] / "data"
STRICT = ("HETU", "PHONE", "EMAIL", "IBAN", "CARD")


@pytest.fixture(scope="module", params=["dev_corpus_fi.txt", "extra_corpus_fi.txt"])
def scored(request, nlp_analyzer):
    lines = read_corpus(str(DATA / request.param))
    predictions = [[(s.start, s.end, s.type) for s in nlp_analyzer.analyze(line.text)] for line in lines]
    return score(lines, predictions)


def test_numbers_and_addresses_are_all_found(scored):
    for typ in STRICT:
        if typ in scored.total:
            assert scored.recall(typ) == 1.0, scored.misses
            assert scored.typed_recall(typ) == 1.0, typ


def test_names_and_addresses(scored):
    for typ in ("PERSON", "ADDRESS"):
        assert scored.recall(typ) >= 0.95, scored.misses


def test_clean_lines_stay_clean(scored):
    assert scored.clean_lines >= 8
    assert scored.clean_false_positives == 0, scored.misses


def test_character_precision(scored):
    assert scored.char_precision >= 0.95
