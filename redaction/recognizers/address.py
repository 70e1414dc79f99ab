"""Finnish (and Swedish-language) street addresses: street, house number, staircase, flat, postcode, city.

spaCy never returns a street address as one span (street -> GPE/LOC/FAC, numbers -> CARDINAL, postcode ->
TIME; FINDINGS.md), so the address is a pattern: a word ending in a street type, inflected or not
("Asemakatu", "Asemakadulla", "Puistotiellä", "Storgatan"), then a house number and optionally a staircase
letter, a flat number and "postcode city". NER place names right next to it (a city after a comma) are
merged in. Spoken addresses arrive with their numbers normalised ("asemakatu viisi bee kaksitoista" ->
"asemakatu 5B12").
"""

from __future__ import annotations

import regex

from redaction.recognizers.base import AnalysisContext, PatternRecognizer, finditer
from redaction.types import Explanation, Span

# Street types with the stem their inflected forms take (katu -> kadulla, rinne -> rinteellä, mäki -> mäellä).
_TYPES = (
    "katu", "kadu", "tie", "kuja", "polku", "polu", "tori", "rinne", "rintee", "kaari", "kaare", "väylä",
    "raitti", "raiti", "aukio", "mäki", "mäe", "kaarre", "kaartee", "puistikko", "puistiko", "ranta", "ranna",
    "tanhua", "bulevardi", "puisto", "piha", "penger", "pengere", "gatan", "vägen", "gränd", "stigen",
    "torget", "backen", "kajen",
)
_ENDING = r"(?:n|ll[aä]|ll[eä]|lt[aä]|ss[aä]|st[aä]|h[eiu]n|seen|[aä]|t[aä]|en|in|un|ksi|n[aä]|lle)?"
STREET = r"[\p{L}][\p{L}-]{1,40}?(?:" + "|".join(_TYPES) + r")" + _ENDING
HOUSE = r"\d{1,4}[A-Za-z]?(?: ?- ?\d{1,4})?"
STAIR = r"(?: ?[A-Za-z](?![\p{L}]))?"
FLAT = r"(?: ?(?:as\.? ?)?\d{1,3}(?!\d))?"
POSTCODE = r"(?:,? ?\d{5}(?: [\p{L}][\p{L}-]+)?)?"
PATTERN = regex.compile(rf"(?<![\p{{L}}\d])(?P<street>{STREET})(?![\p{{L}}]) (?P<house>{HOUSE}){STAIR}{FLAT}"
                        rf"(?P<post>{POSTCODE})(?![\p{{L}}\d])")
STREET_ONLY = regex.compile(rf"(?<![\p{{L}}\d]){STREET}(?![\p{{L}}])")

SCORE_CAPITALISED = 0.7  # "Asemakatu 5": a capitalised street word with a house number
SCORE_LOWER = 0.45  # "asemakatu 5": needs a cue ("asun", "osoite") to pass
SCORE_DETAIL = 0.15  # added for a staircase/flat/postcode: ordinary words are not followed by those
SCORE_CUED_STREET = 0.6  # "asun asemakadulla": a street after an address cue, without a number
MERGE_LABELS = ("GPE", "LOC", "FAC")


class AddressRecognizer(PatternRecognizer):
    name = "address"
    entities = ("ADDRESS",)

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in finditer(PATTERN, text):
            score = SCORE_CAPITALISED if m.group("street")[:1].isupper() else SCORE_LOWER
            if m.end() > m.end("house") or m.group("post"):
                score += SCORE_DETAIL
            spans.append(Span("ADDRESS", m.start(), m.end(), score, self.name,
                              Explanation(self.name, "street + house number", score)))
        return spans

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        spans = super().analyze(ctx) + self._cued_streets(ctx)
        return [self._merge_places(ctx, s) for s in spans]

    def _cued_streets(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for cue in ctx.cues:
            if cue.cue.kind != "address":
                continue
            for tok in ctx.tokens[cue.last + 1:cue.last + 4]:
                m = STREET_ONLY.fullmatch(tok.text)
                if m is not None:
                    explanation = Explanation(self.name, "street after an address cue", SCORE_CUED_STREET,
                                              context_cue=cue.cue.canonical)
                    spans.append(Span("ADDRESS", tok.start, tok.end, SCORE_CUED_STREET, self.name,
                                      explanation))
                    break
        return spans

    @staticmethod
    def _merge_places(ctx: AnalysisContext, span: Span) -> Span:
        """Extend over an NER place directly before/after the address (", Helsinki")."""
        start, end = span.start, span.end
        for s, e, label in ctx.entities():
            if label not in MERGE_LABELS:
                continue
            if 0 <= s - end <= 2 and ctx.text[end:s].strip(" ,") == "":
                end = e
            elif 0 <= start - e <= 2 and ctx.text[e:start].strip(" ,") == "" and ctx.text[s:e][:1].isupper():
                start = s
        if (start, end) == (span.start, span.end):
            return span
        return Span(span.type, start, end, span.score, span.recognizer, span.explanation)
