"""The recognizer contract and the per-text context every recognizer reads.

A recognizer is small and declarative (Presidio's shape): a name, the entity types it emits, and
``analyze``. Text-pattern recognizers subclass :class:`PatternRecognizer` and only write ``find(text)``; the
base class runs it on the original text *and* on the number-normalised text and maps spans back, so "kaksi
yhdeksän nolla …" is validated as "290284-…" yet redacted as the words that were spoken.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import regex

from redaction.numbers import NormalisedText
from redaction.recognizers.cues import CueMatch
from redaction.spoken import Token
from redaction.types import Explanation, NameLexicon, NerTagger, Span, WordConfidence

REGEX_TIMEOUT_S = 1.0  # no input may hold a pattern longer than this (pathological text, not a real call)


class RegexTimeout(RuntimeError):
    """A pattern ran past REGEX_TIMEOUT_S; the text is refused rather than passed through unredacted."""


def finditer(pattern: regex.Pattern[str], text: str) -> list[regex.Match[str]]:
    """All matches of ``pattern``, or :class:`RegexTimeout` (message carries the pattern name, not the
    text)."""
    try:
        return list(pattern.finditer(text, timeout=REGEX_TIMEOUT_S))
    except TimeoutError as exc:
        raise RegexTimeout(f"pattern timed out after {REGEX_TIMEOUT_S}s") from exc


@dataclass
class AnalysisContext:
    """Everything recognizers share about one text, computed once."""

    text: str
    tokens: list[Token]
    normalised: NormalisedText
    cues: list[CueMatch]
    lexicon: NameLexicon | None = None
    ner: NerTagger | None = None
    word_confidence: Sequence[WordConfidence] | None = None  # ASR word probabilities, sorted by offset
    low_confidence_threshold: float | None = None  # None: the low-confidence policy is off
    _entities: list[tuple[int, int, str]] | None = field(default=None, repr=False)

    def entities(self) -> list[tuple[int, int, str]]:
        """NER entities over the original text, computed on first use (empty without a tagger)."""
        if self._entities is None:
            self._entities = self.ner.entities(self.text) if self.ner is not None else []
        return self._entities

    def word_classes(self, word: str) -> frozenset[str] | None:
        """Lexicon classes of ``word``; None when no lexicon is available (callers then fall back to
        casing)."""
        return self.lexicon.classes(word) if self.lexicon is not None else None

    def cue_at(self, index: int) -> bool:
        """Whether a cue phrase covers token ``index``."""
        return any(c.first <= index <= c.last for c in self.cues)

    def word_cases(self, word: str) -> frozenset[str]:
        """Grammatical cases of ``word``'s readings; empty without a lexicon."""
        return self.lexicon.cases(word) if self.lexicon is not None else frozenset()

    def suggestions(self, word: str) -> tuple[str, ...]:
        """The lexicon's spelling suggestions for ``word``; none without a lexicon."""
        return self.lexicon.suggest(word) if self.lexicon is not None else ()


class Recognizer(ABC):
    """Finds spans of one or more entity types. Subclasses set ``name`` and ``entities`` (each a row of
    ``redaction.entities``)."""

    name: ClassVar[str]
    entities: ClassVar[tuple[str, ...]]

    @abstractmethod
    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        """Spans over ``ctx.text`` (original offsets), each with an explanation."""


class PatternRecognizer(Recognizer):
    """A recognizer that works on plain text; run on the original and on the number-normalised text."""

    @abstractmethod
    def find(self, text: str) -> list[Span]:
        """Spans over ``text`` (which may be the normalised text)."""

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        spans = self.find(ctx.text)
        if ctx.normalised.changed:
            for span in self.find(ctx.normalised.text):
                start, end = ctx.normalised.to_original(span.start, span.end)
                if ctx.normalised.text[span.start:span.end] == ctx.text[start:end]:
                    continue  # untouched by normalisation: already found on the original
                note = "spoken number words normalised"
                spans.append(replace(span, start=start, end=end,
                                     explanation=replace(span.explanation or Explanation(span.recognizer), note=note)))
        return spans
