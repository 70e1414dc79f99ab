"""Cue rule: a run of number words or digits after an identifier cue is redacted even if its checksum fails.

"henkilötunnukseni on yksi kaksi nonranelli ja kousi kousi …" holds no valid HETU after ASR, yet every digit
of it is the caller's. Inside a cue-led run any reading counts — a guessed misspelling ("kousi"), a letter
name ("hoo"), a written digit — and up to two unreadable words may sit between readable ones. The cue says
what the run is ("tilinumero" -> IBAN); a generic cue ("numero", "tunnus") lets the identifier's shape
decide.
"""

from __future__ import annotations

from redaction.numbers import classify_word
from redaction.recognizers import shape
from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.types import Explanation, Span

MIN_DIGITS = 4  # fewer digits after a cue is a count or a time ("numero kaksi"), not an identifier
MAX_GAP = 2  # unreadable words tolerated between readable ones
MAX_LEAD = 2  # unreadable words tolerated between the cue (and its fillers) and the run
MAX_PREFIX = 4  # letter names and a dash that may open an identifier ("äs oo pee viiva …")
SCORE = 0.85


def _confident(word: str) -> bool:
    reading = classify_word(word)
    return reading is not None and reading.certainty in ("exact", "strong") and reading.kind in (
        "digit", "number")


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
            found = self._run_after(ctx, cue.last + 1, cue_starts)
            if found is None:
                continue
            start, end, value = found
            typ, validated = self._type(cue, value)
            spans.append(Span(typ, start, end, SCORE, self.name, Explanation(
                self.name, "number run after a cue", SCORE, validation=validated,
                context_cue=cue.cue.canonical)))
        return spans

    @staticmethod
    def _run_after(ctx: AnalysisContext, i: int, cue_starts: set[int]) -> tuple[int, int, str] | None:
        toks = ctx.tokens
        lead: list[int] = []
        prefix: list[int] = []  # letter names and dashes right before the digits: "aa än viiva …" (AN-…)
        while i < len(toks) and not _confident(toks[i].text):
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
        first = last = None
        value: list[str] = []
        gap = 0
        pending: list[str] = []  # readings after a gap, kept only if a confident reading follows
        for tok in toks[i:]:
            if tok.index in cue_starts:
                break  # the next cue starts its own identifier ("… ja y-tunnus 1234567-8")
            reading = classify_word(tok.text)
            if reading is None:
                gap += 1
                if gap > MAX_GAP:
                    break
                continue
            confident = reading.certainty in ("exact", "strong")
            if first is None:
                if not confident:
                    break
                first = tok
            if gap and not confident:
                pending.append(reading.text)
                continue
            value.extend(pending)
            pending.clear()
            gap = 0
            last = tok
            value.append(reading.text)
        if first is None or last is None:
            return None
        joined = "".join(value)
        if sum(c.isdigit() for c in joined) < MIN_DIGITS:
            return None
        start = first.start
        if prefix and prefix[-1] == first.index - 1:
            start, first = toks[prefix[0]].start, toks[prefix[0]]
        # Short unreadable words right before the run are usually its garbled start ("hafi" for "äf ii").
        for k in reversed(lead):
            if k == first.index - 1 and len(toks[k].text) <= 4:
                start, first = toks[k].start, toks[k]
        return start, last.end, joined

    @staticmethod
    def _type(cue: CueMatch, value: str) -> tuple[str, bool | None]:
        if cue.cue.type is not None and shape.validates(cue.cue.type, value):
            return cue.cue.type, True
        by_checksum = shape.identify(value, checksummed_only=True)
        if by_checksum is not None:
            return by_checksum, True
        if cue.cue.type is not None:
            return cue.cue.type, None
        if shape.validates("PHONE", value):
            return "PHONE", True
        digits = "".join(c for c in value if c.isdigit())
        if cue.cue.canonical == "numero" and (value.startswith(("0", "+")) and 7 <= len(digits) <= 13):
            return "PHONE", None
        return "CUSTOMER_NUMBER", None
