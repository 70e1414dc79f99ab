"""The low-confidence policy: words the ASR was unsure of, right after an identity cue, are redacted."""

import re

import pytest

from redaction import Analyzer, WordConfidence

from .conftest import surfaces


def confidences(text: str, probabilities: list[float]) -> list[WordConfidence]:
    """One WordConfidence per whitespace-separated ASR word, as the pipeline builds them."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    assert len(words) == len(probabilities)
    return [WordConfidence(a, b, p) for (a, b), p in zip(words, probabilities, strict=True)]


@pytest.mark.parametrize(("text", "probabilities", "expected", "typ"), [
    # a garbled name after an introduction cue: the ASR itself was unsure of it
    ("Hei, täällä on ma, pöpö, ja soitan laskusta.", [0.6, 0.5, 0.5, 0.2, 0.15, 0.5, 0.6, 0.7],
     ["ma, pöpö"], "PERSON"),
    # a garbled street after an address cue
    ("osoite on korru pälli", [0.9, 0.8, 0.3, 0.2], ["korru pälli"], "ADDRESS"),
    # confident words after a cue stay: the ASR heard an ordinary sentence
    ("nimeni on tärkeä asia", [0.9, 0.9, 0.8, 0.8], [], None),
    # unsure words far from any cue stay: the policy needs the cue
    ("internet pätkii illalla", [0.2, 0.2, 0.2], [], None),
    # function words are never the identifier, however unsure
    ("nimeni on siis se", [0.9, 0.9, 0.1, 0.1], [], None),
    # a cue heard unsure, one letter off ("olin" for "olen"), before unsure fragments of a name
    ("Olin, ki, ra, vuon, nen ja soitan", [0.2, 0.3, 0.3, 0.2, 0.3, 0.8, 0.9], ["ki, ra, vuon, nen"], "PERSON"),
    # the same word heard clearly is what it says: "I was"
    ("olin eilen yhteydessä teihin", [0.9, 0.3, 0.3, 0.4], [], None),
    # an unsure look-alike before clearly heard words stays
    ("Olin eilen yhteydessä teihin", [0.3, 0.9, 0.9, 0.9], [], None),
])
def test_unsure_words_after_a_cue(lexicon_analyzer, text, probabilities, expected, typ):
    spans = [s for s in lexicon_analyzer.analyze(text, confidences(text, probabilities))
             if s.recognizer == "low_confidence" or s.explanation.recognizer == "low_confidence"]
    assert surfaces(text, spans) == expected
    if expected:
        assert spans[0].type == typ
        assert "probability below 0.5" in spans[0].explanation.note
        assert spans[0].explanation.context_cue is not None


def test_the_policy_is_off_without_confidences_or_threshold(lexicon_analyzer):
    text = "Hei, täällä on ma, pöpö, ja soitan laskusta."
    probs = [0.6, 0.5, 0.5, 0.2, 0.15, 0.5, 0.6, 0.7]
    assert not [s for s in lexicon_analyzer.analyze(text) if s.recognizer == "low_confidence"]
    off = Analyzer(lexicon=lexicon_analyzer.lexicon, low_confidence_threshold=None)
    assert not [s for s in off.analyze(text, confidences(text, probs)) if s.recognizer == "low_confidence"]
    strict = Analyzer(lexicon=lexicon_analyzer.lexicon, low_confidence_threshold=0.1)
    assert not [s for s in strict.analyze(text, confidences(text, probs)) if s.recognizer == "low_confidence"]


@pytest.mark.parametrize(("text", "probabilities", "expected"), [
    # a name the ASR clipped and was unsure of: one final vowel makes it a first name
    ("Orin, tiin haluaa", [0.3, 0.2, 0.6], ["tiin"]),
    # heard clearly, the same clipped word stays (the policy reads the ASR's doubt, not the shape alone)
    ("Orin, tiin haluaa", [0.3, 0.9, 0.6], []),
    # a word the lexicon knows is what it says, however unsure ("jaan" = I share)
    ("jaan tämän", [0.2, 0.9], []),
])
def test_clipped_unsure_names(lexicon_analyzer, text, probabilities, expected):
    spans = [s for s in lexicon_analyzer.analyze(text, confidences(text, probabilities))
             if s.explanation.recognizer == "low_confidence"]
    assert surfaces(text, spans) == expected
    assert all(s.type == "PERSON" for s in spans)
