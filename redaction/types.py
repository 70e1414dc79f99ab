"""Plain result types shared by recognizers, the analyzer, operators and audio redaction.

They carry no behaviour so that every layer (CLI, service, benchmarks) can serialise them as they are.
Offsets are always into the text the analyzer was given (Python ``str`` indices).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NotRequired, Protocol, TypedDict


@dataclass(frozen=True)
class Explanation:
    """Why a span was reported: what a QA reviewer needs to trust (or dispute) a redaction."""

    recognizer: str
    pattern: str | None = None
    original_score: float = 0.0
    validation: bool | None = None  # None: no opinion, True: checksum/library says valid, False: invalid
    context_cue: str | None = None  # the cue word that raised the score or forced the span
    note: str | None = None  # free text without the raw value (e.g. "spoken number words normalised")


class SpanDict(TypedDict):
    """``Span.to_dict()``: what the CLI prints and the pipeline digests; offsets only, never the value."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str
    explanation: NotRequired[dict[str, object]]


@dataclass(frozen=True)
class Span:
    """One detected personal identifier over the analysed text. Never carries the raw value."""

    type: str  # HETU PHONE EMAIL IBAN CARD YTUNNUS PERSON ADDRESS CUSTOMER_NUMBER ...
    start: int
    end: int
    score: float
    recognizer: str
    # None only for spans made outside a recognizer (tests, fakes); every recognizer explains its spans.
    explanation: Explanation | None = field(compare=False, default=None)

    def to_dict(self, *, explain: bool = False) -> SpanDict:
        d: SpanDict = {"type": self.type, "start": self.start, "end": self.end, "score": round(self.score, 3),
             "recognizer": self.recognizer}
        if explain and self.explanation is not None:
            d["explanation"] = asdict(self.explanation)
        return d


@dataclass(frozen=True)
class WordConfidence:
    """How sure the ASR was of one word: ``start``/``end`` index the analysed text, ``probability`` is the
    recogniser's word probability (0..1).

    Passed to ``Analyzer.analyze`` so that a garbled identifier right after an identity cue ("täällä on ma,
    vibitanen") can be redacted for what it is: words the ASR itself was unsure of, where a name belongs.
    """

    start: int
    end: int
    probability: float


@dataclass(frozen=True)
class AppliedOperator:
    """Which operator replaced which span, and where the replacement sits in the redacted text."""

    span: Span
    operator: str
    replacement: str
    redacted_start: int
    redacted_end: int


@dataclass(frozen=True)
class RedactionResult:
    text: str
    spans: tuple[Span, ...]
    applied: tuple[AppliedOperator, ...]


class NerTagger(Protocol):
    """Named-entity tagging over raw text, injected so that ``redaction`` never loads a model itself."""

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        """Return ``(start, end, label)`` triples; labels as the spaCy model gives them (PERSON, GPE, ...)."""
        ...


class NameLexicon(Protocol):
    """Morphological look-up of proper nouns (Voikko), injected like ``NerTagger``."""

    def name_class(self, word: str) -> str | None:
        """Return 'etunimi', 'sukunimi', 'paikannimi' ... when every reading of ``word`` is a proper noun."""
        ...

    def classes(self, word: str) -> frozenset[str]:
        """Every word class of every reading ('nimisana', 'etunimi', ...); empty when the word is unknown.

        Needed beside ``name_class``: "Marja" is a first name *and* a berry, and an unknown word after
        "nimeni on" is most likely a name the dictionary lacks.
        """
        ...

    def cases(self, word: str) -> frozenset[str]:
        """Grammatical cases of the word's readings ('nimento', 'omanto', 'sisaolento', …); empty when
        unknown or uninflected. "jenni salomaa" is a name because "salomaa" reads as a nominative noun right
        after a first name, where "jenni puhelimessa" (inessive) is someone on the phone."""
        ...

    def readings(self, word: str) -> frozenset[tuple[str, str | None]]:
        """``(word class, case)`` of every reading of ``word`` ("salomaa" -> {("nimisana", "nimento")}); the
        pairs matter where the classes and cases alone do not: "niemisen" is a surname only if the place
        reading is not in a place case."""
        ...

    def suggest(self, word: str) -> tuple[str, ...]:
        """Spelling suggestions for a word the lexicon does not know ("korhose" -> "Korhosen", …), best
        first; used to recognise a name the ASR misspelt."""
        ...
