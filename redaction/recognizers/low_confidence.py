"""Policy: words the ASR was unsure of, right after an identity cue, are the identifier it garbled.

"Hei, täällä on ma, vibitanen, ja soitan …" — Whisper heard the cue ("täällä on") and then mangled the
name. No dictionary and no checksum can say what "ma, vibitanen" was, but the recogniser itself can: it
gave those words a low probability. After a cue ("nimeni on", "henkilötunnus", "osoite on", …) the words
up to the end of the clause whose probability is below the threshold are redacted, typed by the cue, with
the probability threshold in the explanation.

Only transcripts have word probabilities (``AnalysisContext.word_confidence``); typed text is untouched.
On synthetic speech Whisper base gives correct and garbled words alike 0.1–0.6 (FINDINGS.md), so the
policy is bounded to a short window after a cue and skips function words, which keeps its precision cost
small; ``bench/audio_leak_bench.py`` measures it.
"""

from __future__ import annotations

from bisect import bisect_left

from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.spoken import Token
from redaction.types import Explanation, Span

DEFAULT_THRESHOLD = 0.5
MAX_WORDS = 5  # an identifier after a cue is said within a few words; further on is the rest of the call
SCORE = 0.6
CLAUSE_END = frozenset(".?!\n")
# Word classes that are never part of an identifier; a low probability there is just ASR noise.
FUNCTION_CLASSES = frozenset({"asemosana", "seikkasana", "sidesana", "suhdesana", "kieltosana",
                              "huudahdussana", "teonsana"})
TYPE_OF_KIND = {"person": "PERSON", "email": "EMAIL", "address": "ADDRESS"}
STOP_WORDS = frozenset({"ja", "ja.", "mutta", "kiitos", "että", "koska", "kun"})


class LowConfidenceRecognizer(Recognizer):
    name = "low_confidence"
    entities = ("PERSON", "EMAIL", "ADDRESS", "HETU", "PHONE", "IBAN", "CARD", "YTUNNUS", "CUSTOMER_NUMBER",
                "NUMBER")

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        if not ctx.word_confidence or ctx.low_confidence_threshold is None:
            return []
        starts = [w.start for w in ctx.word_confidence]
        spans = []
        cue_starts = {c.first for c in ctx.cues}
        for cue in ctx.cues:
            unsure = [t for t in self._window(ctx, cue, cue_starts)
                      if self._unsure(ctx, t, starts)]
            if not unsure:
                continue
            typ = TYPE_OF_KIND.get(cue.cue.kind) or cue.cue.type or "NUMBER"
            threshold = ctx.low_confidence_threshold
            spans.append(Span(typ, unsure[0].start, unsure[-1].end, SCORE, self.name, Explanation(
                self.name, "ASR-unsure words after an identity cue", SCORE, context_cue=cue.cue.canonical,
                note=f"word probability below {threshold:g}")))
        return spans

    @staticmethod
    def _window(ctx: AnalysisContext, cue: CueMatch, cue_starts: set[int]) -> list[Token]:
        """The words after a cue up to the end of its clause (at most MAX_WORDS, fillers skipped)."""
        out: list[Token] = []
        previous = ctx.tokens[cue.last]
        for tok in ctx.tokens[cue.last + 1:]:
            if any(c in CLAUSE_END for c in ctx.text[previous.end:tok.start]) or tok.index in cue_starts:
                break
            if tok.lower in STOP_WORDS or len(out) >= MAX_WORDS:
                break
            previous = tok
            if tok.lower not in FILLERS:
                out.append(tok)
        return out

    @staticmethod
    def _unsure(ctx: AnalysisContext, tok: Token, starts: list[int]) -> bool:
        k = bisect_left(starts, tok.start)
        # The ASR word that holds this token (a token may be part of a longer ASR word, e.g. "Hei,").
        while k > 0 and (k == len(starts) or starts[k] > tok.start):
            k -= 1
        if not ctx.word_confidence or k >= len(ctx.word_confidence):
            return False
        word = ctx.word_confidence[k]
        if not (word.start <= tok.start and tok.end <= word.end + 1):
            return False
        if word.probability >= (ctx.low_confidence_threshold or 0.0):
            return False
        classes = ctx.word_classes(tok.text) or frozenset()
        return not classes & FUNCTION_CLASSES
