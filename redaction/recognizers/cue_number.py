"""Cue rule: a run of number words or digits after an identifier cue is redacted even if its checksum fails.

"henkilötunnukseni on yksi kaksi nonranelli ja kousi kousi …" holds no valid HETU after ASR, yet every digit
of it is the caller's. Inside a cue-led run any reading counts — a guessed misspelling ("kousi"), a letter
name ("hoo"), a written digit — and up to two unreadable words may sit between readable ones. The cue says
what the run is ("tilinumero" -> IBAN); a generic cue ("numero", "tunnus") lets the identifier's shape
decide.
"""

from __future__ import annotations

from redaction.entities import identify, validates
from redaction.numbers import classify_word, read_word
from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.spoken import Token
from redaction.types import Explanation, Span

MIN_DIGITS = 4  # fewer digits after a cue is a count or a time ("numero kaksi"), not an identifier
MAX_GAP = 2  # unreadable words tolerated between readable ones
MAX_LEAD = 2  # unreadable words tolerated between the cue (and its fillers) and the run
MAX_PREFIX = 4  # letter names and a dash that may open an identifier ("äs oo pee viiva …")
SCORE = 0.85


def _confident(ctx: AnalysisContext, word: str) -> bool:
    reading = read_word(word, ctx.lexicon)
    return reading is not None and reading.certainty in ("exact", "strong") and reading.kind in (
        "digit", "number")


def _opens_run(ctx: AnalysisContext, i: int) -> bool:
    """A confident digit word, or a weak one ("kuus", "kasi") right before a confident one."""
    toks = ctx.tokens
    if _confident(ctx, toks[i].text):
        return True
    reading = read_word(toks[i].text, ctx.lexicon)
    return (reading is not None and reading.kind == "digit" and reading.certainty == "weak"
            and i + 1 < len(toks) and _confident(ctx, toks[i + 1].text))


def _dictionary_word(ctx: AnalysisContext, word: str) -> bool:
    """A word the lexicon knows as an ordinary word (not a name, not a filler): the ASR's garbles inside a
    spoken number are unknown words ("nonranelli"), so a known one is the sentence going on."""
    if word.lower() in FILLERS or len(word) < 4:
        return False  # short words are as often a garbled digit or letter ("he" for "ee") as a word
    classes = ctx.word_classes(word)
    if not classes:
        return False
    return not classes <= {"etunimi", "sukunimi", "paikannimi", "nimi", "lukusana"}


def _letter_or_dash(word: str) -> bool:
    reading = classify_word(word)
    return reading is not None and (reading.kind == "letter" or reading.text == "-")


class CueNumberRecognizer(Recognizer):
    name = "cue_number"
    entities = ("HETU", "PHONE", "IBAN", "CARD", "CUSTOMER_NUMBER", "YTUNNUS")

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        cue_starts = {c.first for c in ctx.cues}
        spans = []
        for cue in ctx.cues:
            if cue.cue.kind != "number":
                continue
            found = self._run_after(ctx, cue, cue_starts)
            if found is None:
                continue
            start, end, value = found
            typ, validated = self._type(cue, value)
            spans.append(Span(typ, start, end, SCORE, self.name, Explanation(
                self.name, "number run after a cue", SCORE, validation=validated,
                context_cue=cue.cue.canonical)))
        return spans

    def _run_after(self, ctx: AnalysisContext, cue: CueMatch, cue_starts: set[int]) -> tuple[int, int, str] | None:
        toks = ctx.tokens
        i = cue.last + 1
        lead: list[int] = []
        prefix: list[int] = []  # letter names and dashes right before the digits: "aa än viiva …" (AN-…)
        while i < len(toks) and not _opens_run(ctx, i):
            if toks[i].index in cue_starts:
                return None
            if _letter_or_dash(toks[i].text) and len(prefix) < MAX_PREFIX:
                prefix.append(i)
            elif toks[i].lower not in FILLERS:
                lead.append(i)
                prefix.clear()
            if len(lead) > MAX_LEAD:
                return None
            i += 1
        run = self._readings_from(ctx, i, cue_starts)
        if run is None:
            return None
        first, last, joined = run
        if sum(c.isdigit() for c in joined) < MIN_DIGITS:
            return None
        start = first.start
        if prefix and prefix[-1] == first.index - 1:
            start, first = toks[prefix[0]].start, toks[prefix[0]]
            # the letters are part of the code: "aa än viiva kuus nolla …" is AN-60…, not a phone number
            joined = "".join(r.text for r in (classify_word(toks[k].text) for k in prefix) if r) + joined
        # Short unreadable words right before the run are usually its garbled start ("hafi" for "äf ii").
        for k in reversed(lead):
            if k == first.index - 1 and len(toks[k].text) <= 4:
                start, first = toks[k].start, toks[k]
        return start, last.end, joined

    def _readings_from(self, ctx: AnalysisContext, i: int, cue_starts: set[int]) -> tuple[Token, Token, str] | None:
        """The run of readings from token ``i``: guesses and up to MAX_GAP unreadable words may sit between
        confident readings. Where the run already validated before a gap ("9140035-9 löytyy kolme …"), it
        ends there: what follows a complete identifier is the rest of the sentence."""
        first = last = None
        value: list[str] = []
        gap = 0
        pending: list[str] = []  # readings after a gap, kept only if a confident reading follows
        cuts: list[tuple[Token, str]] = []  # (last token, value) where a gap began
        for tok in ctx.tokens[i:]:
            if tok.index in cue_starts:
                break  # the next cue starts its own identifier ("… ja y-tunnus 1234567-8")
            reading = read_word(tok.text, ctx.lexicon)
            if reading is None and last is not None and _dictionary_word(ctx, tok.text):
                break  # "iPhone 13 ohjelmistoon 4.8.3": a real word between numbers ends the identifier
            if reading is None:
                if gap == 0 and last is not None:
                    cuts.append((last, "".join(value)))
                gap += 1
                if gap > MAX_GAP:
                    break
                continue
            confident = reading.certainty in ("exact", "strong")
            if first is None:
                if not _opens_run(ctx, tok.index):
                    break
                first, confident = tok, True  # a weak digit word opening the run ("kuus nolla …") counts
            if not confident:
                pending.append(reading.text)  # a guess counts only between confident readings
                continue
            value.extend(pending)
            pending.clear()
            gap = 0
            last = tok
            value.append(reading.text)
        if first is None or last is None:
            return None
        joined = "".join(value)
        if identify(joined, checksummed_only=True) is None:
            for cut_last, cut_value in cuts:
                if identify(cut_value) or validates("YTUNNUS", cut_value):
                    return first, cut_last, cut_value
        return first, last, joined

    @staticmethod
    def _type(cue: CueMatch, value: str) -> tuple[str, bool | None]:
        if cue.cue.type is not None and validates(cue.cue.type, value):
            return cue.cue.type, True
        by_checksum = identify(value, checksummed_only=True)
        if by_checksum is not None:
            return by_checksum, True
        if cue.cue.type is not None:
            return cue.cue.type, None
        if validates("PHONE", value):
            return "PHONE", True
        digits = "".join(c for c in value if c.isdigit())
        if cue.cue.canonical == "numero" and (value.startswith(("0", "+")) and 7 <= len(digits) <= 13):
            return "PHONE", None
        return "CUSTOMER_NUMBER", None
