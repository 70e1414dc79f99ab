"""Fixtures for the text-redaction tests: real spaCy and Voikko, loaded once per session."""

from __future__ import annotations

import pytest

from redaction import Analyzer, Span


@pytest.fixture(scope="session")
def nlp_analyzer() -> Analyzer:
    """The product's analyzer: spaCy NER + Voikko lexicon (about 7 s to load on these machines)."""
    from models.nlp import default_analyzer

    return default_analyzer()[0]


@pytest.fixture(scope="session")
def lexicon_analyzer() -> Analyzer:
    """Voikko lexicon, no NER: the lower-case ASR case, fast."""
    from models.nlp import VoikkoLexicon

    lexicon = VoikkoLexicon.load()
    assert lexicon is not None, "libvoikko + voikko-fi are required for these tests"
    return Analyzer(lexicon=lexicon)


@pytest.fixture(scope="session")
def bare_analyzer() -> Analyzer:
    """No NER, no lexicon: what ``redaction`` can do on its own."""
    return Analyzer()


def surfaces(text: str, spans: list[Span], typ: str | None = None) -> list[str]:
    """The redacted substrings (optionally of one type), for readable assertions on offsets."""
    return [text[s.start:s.end] for s in spans if typ is None or s.type == typ]


CONTEXT_WORDS = 6  # as service.pipeline.CONTEXT_WORDS: words of the previous turn analysed with a turn


def analyze_turn(analyzer: Analyzer, previous: str, turn: str) -> list[Span]:
    """Spans over ``turn`` analysed as the pipeline does: the previous turn's tail in front, clipped."""
    tail = " ".join(previous.split()[-CONTEXT_WORDS:])
    prefix = tail + " \n " if tail else ""
    out = []
    for span in analyzer.analyze(prefix + turn):
        start, end = max(span.start - len(prefix), 0), span.end - len(prefix)
        if end > start:
            out.append(Span(span.type, start, end, span.score, span.recognizer, span.explanation))
    return out
