"""Long spoken digit runs with no cue: six or more digits read out one by one are an identifier of some kind.

Whisper garbles cues as readily as digits ("et mulis" for "hetu olis"), so a run like "kaksi kolme yksi yksi
yksi yksi yhden eljä eljä nolla" must not depend on its cue surviving. Prices and times are said as
compounds ("neljäkymmentäyhdeksän euroa"), not digit by digit, so they stay below the bar. The run is typed
by the validator that accepts it, else reported as a generic NUMBER.

Written codes get the same treatment: six digits or more in one piece, with an optional letter prefix
("K1598864", "KN-7792717", "8724143335"), are an account, contract or customer number even when the cue was
in the other speaker's turn. Prices, dates, years, speeds and model names are shorter or punctuated.
"""

from __future__ import annotations

import regex

from redaction.entities import identify
from redaction.numbers import NumberRun, classify_word
from redaction.recognizers.base import AnalysisContext, Recognizer, finditer
from redaction.types import Explanation, Span

MIN_DIGITS = 6
MIN_ITEMS = 3
MIN_SINGLE_DIGITS = 4
CUE_REACH = 8  # words between a customer-number cue and the code it types
MIN_DIGITS_IN_GROUPS = 7  # two compounds ("viisituhattayhdeksänsataa… kahdeksansataa…") saying 7+ digits
SCORE_GENERIC = 0.6
SCORE_VALIDATED = 0.9
WRITTEN_CODE = regex.compile(r"(?<![\w,.+-])(?:[A-Za-z]{1,3}-?|[A-Z]{1,3} -? ?)?\d{6,14}(?![\w-]|[.,]\d)")


def _after_letters(ctx: AnalysisContext, run: NumberRun) -> bool:
    """Whether a spoken letter name comes right before the run ("… än är seitsemän yksi …")."""
    before = [t for t in ctx.tokens if t.end <= run.start]
    reading = classify_word(before[-1].text) if before else None
    return reading is not None and reading.kind == "letter"


def _identifier_like(run: NumberRun, after_letters: bool = False) -> bool:
    """Six digits in three words or more; seven in two compounds; or four digits read out one by one —
    four single digit words in a row are how people read identifiers, not prices or times (and four are
    already enough to recover part of one)."""
    if run.digit_count >= MIN_DIGITS and run.digit_items >= MIN_ITEMS:
        return True
    if run.digit_items >= 2 and run.digit_count >= MIN_DIGITS_IN_GROUPS:
        return True
    # Four or five digits only when nothing but digits was said: "än är seitsemän yksi nolla yksi" is a
    # router model (NR7101), and longer codes with letters are caught by the rules above.
    singles = sum(it.word.kind == "digit" for it in run.items)
    only_digits = all(it.word.kind == "digit" for it in run.items) and not after_letters
    return only_digits and singles >= MIN_SINGLE_DIGITS and run.digit_count >= MIN_SINGLE_DIGITS


def _cued_type(ctx: AnalysisContext, start: int) -> str:
    """The type a customer-number cue earlier in the sentence gives an uncheckable code ("asiakasnumero
    löytyy laskulta, se on T9987381"); NUMBER when there is none."""
    before = [c for c in ctx.cues if c.end <= start and c.cue.type == "CUSTOMER_NUMBER"]
    if not before:
        return "NUMBER"
    words_between = sum(1 for t in ctx.tokens if before[-1].end <= t.start < start)
    sentence_break = any(ch in ".?!\n" for ch in ctx.text[before[-1].end:start])
    return "CUSTOMER_NUMBER" if words_between <= CUE_REACH and not sentence_break else "NUMBER"


class DigitRunRecognizer(Recognizer):
    name = "digit_run"
    entities = ("NUMBER", "HETU", "PHONE", "IBAN", "CARD")

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        spans = self._written_codes(ctx)
        for run in ctx.normalised.runs:
            if not run.spoken or not _identifier_like(run, _after_letters(ctx, run)):
                continue
            typ = identify(run.value)
            score = SCORE_VALIDATED if typ else SCORE_GENERIC
            spans.append(Span(typ or _cued_type(ctx, run.start), run.start, run.end, score, self.name,
                              Explanation(self.name, "six or more spoken digits", score,
                                          validation=True if typ else None, note="spoken number words normalised")))
        return spans

    def _written_codes(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for m in finditer(WRITTEN_CODE, ctx.text):
            typ = identify(m.group(), checksummed_only=True)
            score = SCORE_VALIDATED if typ else SCORE_GENERIC
            spans.append(Span(typ or _cued_type(ctx, m.start()), m.start(), m.end(), score, self.name, Explanation(
                self.name, "six or more written digits", score, validation=True if typ else None)))
        return spans
