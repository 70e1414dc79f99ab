"""E-mail addresses: written, spoken ("tiina piste laine ät gmail piste com") and garbled after a cue.

Three readings, most to least certain:
1. written ``local@domain.tld``;
2. spoken with the Finnish words for the punctuation ("piste" = dot, "ät"/"miukumauku" = at, "viiva" =
   dash);
3. after an e-mail cue ("sähköposti on …"), whatever the ASR made of it: the words up to the end of the
   clause that the lexicon does not know, or knows only as names, are the address. Whisper base turns
   "piste" into "piisbeli" and "ät" into "hän"; only the cue survives, so the cue has to carry the decision.
"""

from __future__ import annotations

import regex

from redaction.numbers import classify_word
from redaction.recognizers.base import AnalysisContext, PatternRecognizer, finditer
from redaction.recognizers.cues import FILLERS
from redaction.spoken import Token, similarity
from redaction.types import Explanation, Span

# "@" may be written out as "(at)" or "[at]" to fool address harvesters; people dictate it that way too.
PATTERN = regex.compile(
    r"(?<![\w.+-])[\w.+-]{1,64} ?(?:@|\(at\)|\[at\]) ?[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])")
AT_WORDS = frozenset({"ät", "ätt", "äd", "at", "miukumauku", "kissanhäntä", "kissanhanta", "ätmerkki"})
DOT_WORDS = frozenset({"piste", "pisteen", "dot"})
JOIN_WORDS = frozenset({"viiva", "alaviiva", "väliviiva", "tavuviiva"})
TLD_WORDS = frozenset({"com", "fi", "net", "org", "eu", "se", "info", "io"})
# What the ASR makes of "ät" when it hears a word: "… toimane hän pelisän et pistefi". Counted as "ät" only
# when a whole domain follows (a word, a dot and a top-level domain).
AT_LIKE = frozenset({"hän", "hät", "ett", "äts"})
SCORE_WRITTEN = 1.0
SCORE_SPOKEN = 0.9
SCORE_CUED = 0.75
MAX_CUED_WORDS = 12
MAX_LOCAL_TOKENS = 10  # words of one side of a dictated address (names, dots, digits)


def is_valid(address: str) -> bool:
    """Shape check only: a local part, one '@', a dotted domain with an alphabetic top-level label."""
    return PATTERN.fullmatch("".join(address.split())) is not None


def _number_word(ctx: AnalysisContext, tok: Token) -> bool:
    """A number word as part of an address ("lehtinen kaheksankymmentäseitsemän"); a name that merely looks
    like one to the fuzzy reader ("aleksi" ~ kaksi) is a name when the lexicon knows it."""
    reading = classify_word(tok.text)
    if reading is None or reading.kind not in ("digit", "number") or reading.certainty == "guess":
        return False
    if reading.certainty == "exact":
        return True
    classes = ctx.word_classes(tok.text)
    return not classes or "lukusana" in classes


def _dot_tld(word: str) -> bool:
    """ "piste" and a top-level domain run together: "pistefi", "pistekom", "pisteneet"."""
    w = word.lower()
    if not w.startswith("piste") or len(w) <= len("piste"):
        return False
    rest = w[len("piste"):]
    return rest in TLD_WORDS or any(similarity(rest, t) >= 0.75 for t in ("com", "net", "info", "org"))


def _local_part_start(ctx: AnalysisContext, at: int) -> int:
    """Index of the first word of a dictated local part ending just before the "ät" at token ``at``:
    segments of a word and the digits after it ("lehtinen kahdeksankymmentäseitsemän"), joined by "piste",
    "alaviiva" or "viiva"."""
    toks = ctx.tokens
    left = at - 1
    while True:
        k = left
        while k > 0 and at - k < MAX_LOCAL_TOKENS and _number_word(ctx, toks[k]):
            k -= 1
        if k != left and (toks[k].lower in DOT_WORDS | JOIN_WORDS | AT_WORDS or at - k >= MAX_LOCAL_TOKENS):
            k += 1  # the digits are a segment of their own
        if k >= 2 and at - k < MAX_LOCAL_TOKENS and toks[k - 1].lower in DOT_WORDS | JOIN_WORDS:
            left = k - 2
            continue
        return k


def _is_connector(word: str) -> bool:
    w = word.lower()
    if w in AT_WORDS or w in DOT_WORDS or w in JOIN_WORDS:
        return True
    return len(w) >= 4 and max(similarity(w, f) for f in ("piste", "miukumauku", "alaviiva")) >= 0.8


class EmailRecognizer(PatternRecognizer):
    name = "email"
    entities = ("EMAIL",)

    def find(self, text: str) -> list[Span]:
        return [Span("EMAIL", m.start(), m.end(), SCORE_WRITTEN, self.name,
                     Explanation(self.name, "local@domain.tld", SCORE_WRITTEN, validation=True))
                for m in finditer(PATTERN, text)]

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        return super().analyze(ctx) + self._spoken(ctx) + self._cued(ctx)

    def _spoken(self, ctx: AnalysisContext) -> list[Span]:
        """word (piste word | digits)* ÄT word (piste word | digits)+ — the dictated form.

        Digits belong to the word before them ("lehtinen kahdeksankymmentäseitsemän ät …" is
        lehtinen87@…, "suomi kaks neljä piste fi" is suomi24.fi).
        """
        toks, spans = ctx.tokens, []
        for i, tok in enumerate(toks):
            if i == 0 or i + 1 >= len(toks) or not (tok.lower in AT_WORDS or tok.lower in AT_LIKE):
                continue
            right, dots = i + 1, 0
            while right + 1 < len(toks) and right < i + MAX_LOCAL_TOKENS:
                if _number_word(ctx, toks[right + 1]):
                    right += 1
                elif _dot_tld(toks[right + 1].text):
                    right, dots = right + 1, dots + 1  # "pistefi": the ASR ran the dot and the ending together
                    break
                elif right + 2 < len(toks) and toks[right + 1].lower in DOT_WORDS | JOIN_WORDS:
                    dots += toks[right + 1].lower in DOT_WORDS
                    right += 2
                else:
                    break
            if dots == 0 and toks[right].lower not in TLD_WORDS:
                continue
            if tok.lower not in AT_WORDS and not ((dots and toks[right].lower in TLD_WORDS | {"pistefi"})
                                                  or _dot_tld(toks[right].text)):
                continue  # "hän" is an "ät" only when a whole domain follows it
            left = _local_part_start(ctx, i)
            spans.append(Span("EMAIL", toks[left].start, toks[right].end, SCORE_SPOKEN, self.name,
                              Explanation(self.name, "spoken: word ät word piste tld", SCORE_SPOKEN,
                                          note="dictated with Finnish punctuation words")))
        return spans

    def _cued(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for cue in ctx.cues:
            if cue.cue.kind != "email":
                continue
            span = self._after_cue(ctx, cue.last + 1)
            if span is not None:
                start, end = span
                spans.append(Span("EMAIL", start, end, SCORE_CUED, self.name, Explanation(
                    self.name, "words after an e-mail cue", SCORE_CUED, context_cue=cue.cue.canonical,
                    note="address words the lexicon does not know")))
        return spans

    def _after_cue(self, ctx: AnalysisContext, i: int) -> tuple[int, int] | None:
        toks = ctx.tokens
        while i < len(toks) and toks[i].lower in FILLERS and toks[i].lower not in ("ja",):
            i += 1
        first = last = prev = None
        connectors = names = common_run = 0
        for tok in toks[i:i + MAX_CUED_WORDS]:
            if prev is not None and any(c in ".?!\n" for c in ctx.text[prev.end:tok.start]):
                break  # a sentence ended
            if last is not None and last.index >= 1 and last.lower in TLD_WORDS \
                    and toks[last.index - 1].lower in DOT_WORDS:
                break  # "… piste com": the address is complete
            prev = tok
            kind = self._word_kind(ctx, tok)
            if kind == "common":
                common_run += 1
                if common_run > 3:
                    break
                continue
            common_run = 0
            connectors += kind == "connector"
            names += kind == "name"
            first = first or tok
            last = tok
        if first is None or last is None:
            return None
        enough = connectors >= 1 if ctx.lexicon is None else (connectors >= 1 or names >= 2)
        return (first.start, last.end) if enough else None

    @staticmethod
    def _word_kind(ctx: AnalysisContext, tok: Token) -> str:
        if _is_connector(tok.text) or tok.lower in TLD_WORDS:
            return "connector"
        classes = ctx.word_classes(tok.text)
        if classes is None:  # no lexicon: every word might be part of the address
            return "name"
        proper = {"etunimi", "sukunimi", "paikannimi", "nimi"}
        if not classes or classes <= proper:
            return "name"
        return "common"
