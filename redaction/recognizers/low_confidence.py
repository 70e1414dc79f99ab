"""Policy: words the ASR was unsure of, right after an identity cue, are the identifier it garbled.

"Hei, täällä on ma, vibitanen, ja soitan …" — Whisper heard the cue ("täällä on") and then mangled the
name. No dictionary and no checksum can say what "ma, vibitanen" was, but the recogniser itself can: it
gave those words a low probability. After a cue ("nimeni on", "henkilötunnus", "osoite on", …) the words
up to the end of the clause whose probability is below the threshold are redacted, typed by the cue, with
the probability threshold in the explanation.

A cue the ASR itself was unsure of counts too when one vowel sets it apart from a one-word cue ("Olin, di, ha,
lain, es …" for "olen Tiina Laine …"): a vowel slip in the cue is the same mishearing as in the name after it,
and both conditions together (the cue word unsure, the words after it unsure) keep it off ordinary speech,
where "olin" is heard clearly.

Without a cue, one shape is still a name: an unsure word the lexicon does not know that one final vowel
makes a first name or surname ("tiin" -> Tiina, "pekk" -> Pekka). Whisper clips the end of a name it cannot
place; a word it heard clearly, or one the dictionary knows, is left alone.

Only transcripts have word probabilities (``AnalysisContext.word_confidence``); typed text is untouched.
On synthetic speech Whisper base gives correct and garbled words alike 0.1–0.6 (FINDINGS.md), so the
policy is bounded to a short window after a cue and skips function words, which keeps its precision cost
small; ``bench/audio_leak_bench.py`` measures it.
"""

from __future__ import annotations

from bisect import bisect_left

from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import CUES, FILLERS, CueMatch
from redaction.recognizers.person import PERSONAL
from redaction.spoken import Token, fold, similarity
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
CLIPPED_NAME_LEN = 4
VOWELS = "aeiouyäö"
FOLDED_VOWELS = "aeiouy"
# One-word cues an unsure word may stand for, one vowel off: "olin" for "olen", "nimo" for "nimi".
_ONE_WORD_CUES = tuple((fold(f), c) for c in CUES for f in c.forms if len(f) >= 4 and f.isalpha())


class LowConfidenceRecognizer(Recognizer):
    name = "low_confidence"
    entities = ("PERSON", "EMAIL", "ADDRESS", "HETU", "PHONE", "IBAN", "CARD", "YTUNNUS", "CUSTOMER_NUMBER",
                "NUMBER")

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        if not ctx.word_confidence or ctx.low_confidence_threshold is None:
            return []
        starts = [w.start for w in ctx.word_confidence]
        spans = []
        cues = sorted([*ctx.cues, *self._unsure_cues(ctx, starts)], key=lambda c: c.first)
        cue_starts = {c.first for c in cues}
        spans += self._clipped_names(ctx, starts)
        for cue in cues:
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

    def _clipped_names(self, ctx: AnalysisContext, starts: list[int]) -> list[Span]:
        """Unsure words unknown to the lexicon that one final vowel makes a personal name."""
        spans = []
        for tok in ctx.tokens:
            if len(tok.text) < CLIPPED_NAME_LEN or not tok.text.isalpha() or ctx.word_classes(tok.text) != frozenset():
                continue  # None: no lexicon to ask
            if not self._unsure(ctx, tok, starts):  # cheap: the ASR's own doubt first, the lexicon after
                continue
            if any(PERSONAL & (ctx.word_classes((tok.text + v).capitalize()) or frozenset()) for v in VOWELS):
                spans.append(Span("PERSON", tok.start, tok.end, SCORE, self.name, Explanation(
                    self.name, "ASR-unsure unknown word, a personal name short of its last vowel", SCORE,
                    note=f"word probability below {ctx.low_confidence_threshold:g}")))
        return spans

    def _unsure_cues(self, ctx: AnalysisContext, starts: list[int]) -> list[CueMatch]:
        """Words the ASR was unsure of that one vowel sets apart from a one-word cue, outside every cue."""
        taken = {i for c in ctx.cues for i in range(c.first, c.last + 1)}
        out = []
        for tok in ctx.tokens:
            if tok.index in taken or len(tok.text) < 4 or not tok.text.isalpha():
                continue
            w = fold(tok.text)
            match = next(((f, c) for f, c in _ONE_WORD_CUES if _vowel_slip(w, f)), None)
            if match is not None and self._unsure(ctx, tok, starts, any_class=True):
                out.append(CueMatch(match[1], tok.start, tok.end, tok.index, tok.index, similarity(w, match[0])))
        return out

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
    def _unsure(ctx: AnalysisContext, tok: Token, starts: list[int], any_class: bool = False) -> bool:
        """The ASR gave the word holding ``tok`` a probability below the threshold (and, unless
        ``any_class``, it is not a function word)."""
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
        if any_class:
            return True
        classes = ctx.word_classes(tok.text) or frozenset()
        return not classes & FUNCTION_CLASSES


def _vowel_slip(word: str, form: str) -> bool:
    """Same length, one position apart, a vowel heard as another vowel ("olin" ~ "olen")."""
    if len(word) != len(form):
        return False
    diff = [(a, b) for a, b in zip(word, form, strict=True) if a != b]
    return len(diff) == 1 and diff[0][0] in FOLDED_VOWELS and diff[0][1] in FOLDED_VOWELS
