import time
from itertools import pairwise

import pytest
import regex

from redaction import Analyzer, registry
from redaction.recognizers.base import RegexTimeout, finditer
from redaction.recognizers.hetu import HetuRecognizer


def test_every_span_is_explained_and_thresholded(nlp_analyzer):
    text = ("olen Tiina Laine, hetu 160695-802J, numero nolla neljä nolla seitsemän kuusi viisi yksi kaksi"
            " kolme neljä ja osoite Asemakatu 5 B 12, 24100 Salo")
    spans = nlp_analyzer.analyze(text)
    assert [s.type for s in spans] == ["PERSON", "HETU", "PHONE", "ADDRESS"]
    for s in spans:
        assert s.explanation is not None and s.explanation.recognizer == s.recognizer
        assert s.score >= nlp_analyzer.score_threshold
    assert all(a.end <= b.start for a, b in pairwise(spans))


def test_context_cue_lifts_a_weak_span_and_is_recorded(bare_analyzer):
    text = "y-tunnus 1572860-1"  # the check digit is wrong: only the cue vouches for it
    (span,) = bare_analyzer.analyze(text)
    assert span.type == "YTUNNUS" and span.explanation.context_cue == "y-tunnus"
    assert bare_analyzer.analyze("koodi 1572860-1") == []


def test_threshold_is_respected():
    strict = Analyzer(score_threshold=0.95)
    assert strict.analyze("joo se on 290284-0011") == []  # shape-only HETU scores 0.75
    assert len(Analyzer(score_threshold=0.5).analyze("joo se on 290284-0011")) == 1


def test_only_the_selected_recognizers_run():
    only_hetu = Analyzer(recognizers=[HetuRecognizer()])
    assert [s.type for s in only_hetu.analyze("160695-802J 0407651234")] == ["HETU"]


def test_without_models_identifiers_are_still_found(bare_analyzer):
    text = "hetu 160695-802J, tili FI50 1034 5600 1234 56, pekka.nieminen@example.fi"
    assert [s.type for s in bare_analyzer.analyze(text)] == ["HETU", "IBAN", "EMAIL"]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text(bare_analyzer, text):
    assert bare_analyzer.analyze(text) == []


@pytest.mark.parametrize("text", [
    "1 " * 20000, "a" * 100000, "@" * 20000, "x." * 20000 + "@", "aaaa" * 5000 + "katu 5", "nolla " * 5000,
    "120466-" * 5000, "kaksi taksi " * 3000, "-" * 50000 + "1",
])
def test_pathological_input_does_not_hang(bare_analyzer, text):
    started = time.monotonic()
    bare_analyzer.analyze(text)
    assert time.monotonic() - started < 10


def test_a_catastrophic_pattern_times_out_with_a_clean_error():
    with pytest.raises(RegexTimeout) as err:
        finditer(regex.compile(r"(?:a|a)*$"), "a" * 40 + "b")
    assert "aaaa" not in str(err.value)


def test_registry():
    assert {"hetu", "phone", "email", "iban", "card", "ytunnus", "cue_number", "digit_run", "person",
            "address"} <= set(registry.names())
    assert isinstance(registry.get("hetu"), HetuRecognizer)
    with pytest.raises(registry.UnknownRecognizer):
        registry.get("horoscope")
    assert [r.name for r in registry.build(["iban", "hetu"])] == ["iban", "hetu"]
