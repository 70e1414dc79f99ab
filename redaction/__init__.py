"""Text redaction for Finnish call transcripts: detect personal identifiers, then replace them.

``redaction`` never imports ``models`` or ``service``: NER and the name lexicon are injected into
``Analyzer`` (``models.nlp.default_analyzer()`` does the wiring).
"""

from redaction.analyzer import Analyzer
from redaction.entities import EntityType, canonical_value
from redaction.numbers import NormalisedText, normalise
from redaction.operators import OperatorConfig, RedactionState, redact
from redaction.types import (
    AppliedOperator,
    Explanation,
    NameLexicon,
    NerTagger,
    RedactionResult,
    Span,
    WordConfidence,
)

__all__ = [
    "Analyzer", "AppliedOperator", "EntityType", "Explanation", "NameLexicon", "NerTagger", "NormalisedText",
    "OperatorConfig", "RedactionResult", "RedactionState", "Span", "WordConfidence", "canonical_value", "normalise",
    "redact",
]
