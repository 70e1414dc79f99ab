"""The detection pipeline: context -> recognizers -> cue boost -> threshold -> merge overlaps.

``Analyzer`` gets its NER tagger and name lexicon injected (``redaction`` never loads a model); without them
it still finds every checksummed identifier and cue-led number, just fewer names.
``models.nlp.default_analyzer()`` wires in spaCy and Voikko.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import replace

from redaction import registry
from redaction.entities import NUMBER_TYPES
from redaction.numbers import normalise
from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import CueMatch, find_cues
from redaction.recognizers.low_confidence import DEFAULT_THRESHOLD as DEFAULT_LOW_CONFIDENCE
from redaction.spans import merge_overlaps
from redaction.spoken import tokenize
from redaction.types import Explanation, NameLexicon, NerTagger, Span, WordConfidence

CONTEXT_BOOST = 0.4  # a matching cue up to CONTEXT_WINDOW words before a span adds this to its score
CONTEXT_WINDOW = 3


class Analyzer:
    """Find personal identifiers in Finnish call text.

    Args:
        ner: named-entity tagger (spaCy) for cased text; optional. lexicon: name lexicon (Voikko) for
        lower-case ASR text and garbled cues; optional. score_threshold: spans scoring below this are
        dropped (after cue boosts). recognizers: recognizer instances; default: every registered one.
        low_confidence_threshold: ASR words below this probability right after an identity cue are
        redacted when word confidences are given (``None`` turns the policy off).
    """

    def __init__(self, ner: NerTagger | None = None, lexicon: NameLexicon | None = None,
                 score_threshold: float = 0.5, recognizers: Iterable[Recognizer] | None = None,
                 low_confidence_threshold: float | None = DEFAULT_LOW_CONFIDENCE) -> None:
        self.ner = ner
        self.lexicon = lexicon
        self.score_threshold = score_threshold
        self.low_confidence_threshold = low_confidence_threshold
        self.recognizers = list(recognizers) if recognizers is not None else registry.build()

    def context(self, text: str, word_confidence: Sequence[WordConfidence] | None = None) -> AnalysisContext:
        """Tokens, cues and the number-normalised text of ``text``: what every recognizer reads."""
        tokens = tokenize(text)
        cues = find_cues(text, tokens, self.lexicon)
        number_cue_ends = [c.end for c in cues if c.cue.kind == "number"]
        normalised = normalise(text, lexicon=self.lexicon, after_cues=number_cue_ends)
        confidences = sorted(word_confidence, key=lambda w: w.start) if word_confidence else None
        return AnalysisContext(text, tokens, normalised, cues, self.lexicon, self.ner, confidences,
                               self.low_confidence_threshold)

    def analyze(self, text: str, word_confidence: Sequence[WordConfidence] | None = None) -> list[Span]:
        """Non-overlapping spans over ``text``, sorted by position, each with an explanation.

        ``word_confidence``: the ASR's probability of each word (offsets into ``text``), when the text is a
        transcript; the low-confidence policy reads it. Typed or pasted text has none.
        """
        if not text.strip():
            return []
        ctx = self.context(text, word_confidence)
        spans = [s for r in self.recognizers for s in r.analyze(ctx)]
        spans = boost_by_context(spans, ctx)
        spans = [s for s in spans if s.score >= self.score_threshold and s.end > s.start]
        return merge_overlaps(spans)


def boost_by_context(spans: list[Span], ctx: AnalysisContext) -> list[Span]:
    """Raise spans preceded by a cue of their type ("y-tunnus 1234567-8"); the cue is recorded as the
    reason."""
    starts = [t.start for t in ctx.tokens]
    out = []
    for span in spans:
        cue = _cue_before(span, ctx.cues, starts)
        if cue is None:
            out.append(span)
            continue
        score = min(1.0, span.score + CONTEXT_BOOST)
        explanation = span.explanation or Explanation(span.recognizer)
        if explanation.context_cue is None:
            explanation = replace(explanation, context_cue=cue.cue.canonical)
        out.append(replace(span, score=score, explanation=explanation))
    return out


def _cue_before(span: Span, cues: list[CueMatch], token_starts: list[int]) -> CueMatch | None:
    first = bisect_left(token_starts, span.start)
    for cue in cues:
        if cue.end > span.start or first - cue.last - 1 > CONTEXT_WINDOW:
            continue
        if cue.cue.type == span.type or (cue.cue.type is None and cue.cue.kind == "number"
                                         and span.type in NUMBER_TYPES):
            return cue
    return None
