"""Finnish (and Swedish-language) street addresses: street, house number, staircase, flat, postcode, city.

spaCy never returns a street address as one span (street -> GPE/LOC/FAC, numbers -> CARDINAL, postcode ->
TIME; FINDINGS.md), so the address is a pattern: a word ending in a street type, inflected or not
("Asemakatu", "Asemakadulla", "Puistotiellä", "Storgatan"), then a house number and optionally a staircase
letter, a flat number and "postcode city". NER place names right next to it (a city after a comma) are
merged in. Spoken addresses arrive with their numbers normalised ("asemakatu viisi bee kaksitoista" ->
"asemakatu 5B12").

Whisper base garbles street names, and two rules see through that (both need the Voikko lexicon):

* a word the lexicon does not know that still carries a street type ("emakatumi" for "Asemakatu viisi") is
  a street: dictionary words, compounds included, are known, so an unknown word with "katu" inside is not
  one. The house number, staircase and flat after it go with it.
* after an address cue ("Mikä on asennusosoite?" in the agent's turn) the answer is the address whatever
  the ASR made of the street ("Koi mukia kolme, nolla kaksi yksi kaksi nolla epo." for "Koivukuja kolme,
  02120 Espoo"): one to three words, a house number, then letters, numbers and a city to the sentence end.
"""

from __future__ import annotations

import regex

from redaction.numbers import classify_word
from redaction.recognizers.base import AnalysisContext, PatternRecognizer, finditer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.spoken import Token, fold
from redaction.types import Explanation, Span

# Street types with the stem their inflected forms take (katu -> kadulla, rinne -> rinteellä, mäki -> mäellä).
_TYPES = (
    "katu", "kadu", "tie", "kuja", "polku", "polu", "tori", "rinne", "rintee", "kaari", "kaare", "väylä",
    "raitti", "raiti", "aukio", "mäki", "mäe", "kaarre", "kaartee", "puistikko", "puistiko", "ranta", "ranna",
    "tanhua", "bulevardi", "puisto", "piha", "penger", "pengere", "gatan", "vägen", "gränd", "stigen",
    "torget", "backen", "kajen",
)
_ENDING = r"(?:n|ll[aä]|ll[eä]|lt[aä]|ss[aä]|st[aä]|h[eiu]n|seen|[aä]|t[aä]|en|in|un|ksi|n[aä]|lle)?"
_TYPE = r"(?:" + "|".join(_TYPES) + r")" + _ENDING
# One word ("Asemakatu", "Koivukujalla"), or a street named after a person or place in two or three words,
# the last in the genitive before a separate street type ("Gunnel Nymanin kuja", "Lentokapteenin katu").
STREET = (r"(?:[\p{L}][\p{L}-]{1,40}?" + _TYPE
          + r"|(?:\p{Lu}[\p{L}-]+ )?\p{Lu}[\p{L}-]*n " + _TYPE
          + r"|\p{Ll}[\p{L}-]*n " + _TYPE + ")")  # lower case: the words before are read by the lexicon
HOUSE = r"\d{1,4}[A-Za-z]?(?: ?- ?\d{1,4})?"
STAIR = r"(?: ?[A-Za-z](?![\p{L}]))?"
FLAT = r"(?: ?(?:as\.? ?)?\d{1,3}(?!\d))?"
POSTCODE = r"(?:,? ?\d{5}(?: [\p{L}][\p{L}-]+)?)?"
PATTERN = regex.compile(rf"(?<![\p{{L}}\d])(?P<street>{STREET})(?![\p{{L}}]) (?P<house>{HOUSE}){STAIR}{FLAT}"
                        rf"(?P<post>{POSTCODE})(?![\p{{L}}\d])")
STREET_ONLY = regex.compile(rf"(?<![\p{{L}}\d]){STREET}(?![\p{{L}}])")
STREET_WORD = regex.compile(r"[\p{L}][\p{L}-]{1,40}?" + _TYPE)  # one word: "Asemakatu", "koivukujalla"
TYPE_WORD = regex.compile(_TYPE)  # a street type standing alone, after the street's name: "… Nymanin kuja"
# Words that tell a number after a street word is a measure, not a house number ("rautatie 5 kilometrin
# päässä"); folded prefixes.
UNIT_PREFIXES = ("kilometr", "km", "metr", "vuo", "euro", "sentt", "minuut", "tunti", "tuntia", "paiva",
                 "viiko", "viikk", "kuukau", "prosent", "kertaa", "kpl", "kappale", "mega", "giga", "astet",
                 "kilo", "litra")
# Words that may sit between a house number and the flat number or postcode: "… kolmekymmentäseitsemän
# asunto viisitoista …".
FLAT_WORDS = frozenset({"asunto", "as", "rappu", "porras", "huoneisto", "talo", "kerros"})
# Adjectives that open street names ("Vanha Rajabulevardi", "Pohjoinen Rautatiekatu"), lower case.
STREET_ADJECTIVES = frozenset({"vanha", "uusi", "iso", "pieni", "pikku", "pohjoinen", "eteläinen", "itäinen",
                               "läntinen", "keskinen", "ylä", "ala", "ulko", "sisä"})
HOUSE_NUMBER = regex.compile(r"\d{1,4}[a-zA-Z]?")  # "6a", "144A": a house number with its staircase
# A garbled street word (folded, lower case): two letters or more of name, a street type, an ending, and at
# most two stray letters the ASR ran into it ("emakatumi" = "asemakatu" + "mi[isi]"). Only for words the
# lexicon does not know, so "historia" (tori) and "yhteystietoo" (tie + "too") stay words.
GARBLED_STREET = regex.compile(r"[a-z]{2,}(?:" + "|".join(dict.fromkeys(fold(t) for t in _TYPES)) + r")"
                               + _ENDING + r"[a-z]{0,2}")
MAX_STREET_WORDS = 3  # "Koi mukia" for "Koivukuja": an address answer names its street in one to three words
# Word classes that never make up a street name ("asun tässä talossa viisi vuotta" is no address).
NOT_STREET_CLASSES = frozenset({"asemosana", "seikkasana", "sidesana", "suhdesana", "kieltosana", "teonsana",
                                "huudahdussana"})
SENTENCE_END = frozenset(".!?\n")

SCORE_CAPITALISED = 0.7  # "Asemakatu 5": a capitalised street word with a house number
SCORE_LOWER = 0.45  # "asemakatu 5": needs a cue ("asun", "osoite") to pass
SCORE_DETAIL = 0.15  # added for a staircase/flat/postcode: ordinary words are not followed by those
SCORE_CUED_STREET = 0.6  # "asun asemakadulla": a street after an address cue, without a number
SCORE_GARBLED = 0.6  # an unknown word with a street type inside
SCORE_CUED_ANSWER = 0.9  # words + house number (+ city) answering an address cue
SCORE_STREET_NUMBER = 0.6  # a street word, then a house number (spoken or written), then no unit word
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
        spans = super().analyze(ctx) + self._cued_streets(ctx) + self._street_numbers(ctx)
        if ctx.lexicon is not None:
            spans += self._garbled_streets(ctx) + self._cued_answers(ctx)
        return [self._merge_places(ctx, s) for s in spans]

    def _garbled_streets(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for tok in ctx.tokens:
            if not (tok.text.isalpha() and GARBLED_STREET.fullmatch(fold(tok.text)) and _unknown(ctx, tok)):
                continue
            end, numbers = _address_tail(ctx, tok.index + 1)
            score = SCORE_GARBLED + (SCORE_DETAIL if numbers else 0.0)
            spans.append(Span("ADDRESS", tok.start, max(end, tok.end), score, self.name,
                              Explanation(self.name, "garbled street word (unknown word with a street type)",
                                          score)))
        return spans

    def _street_numbers(self, ctx: AnalysisContext) -> list[Span]:
        """A street (one word, or a name and a separate street type) followed by what follows a street: a
        house number, staircase, flat, postcode and city, spoken or written, in any case.

        The regular pattern needs written digits in the written order; spoken addresses arrive as one run
        of number words ("neljä äf kolmekymmentäkahdeksan, kuusi seitsemän …") that only this reading
        follows. A number followed by a unit ("rautatie 5 kilometrin päässä") is a distance.
        """
        spans = []
        for tok in ctx.tokens:
            start = _street_start(ctx, tok)
            if start is None:
                continue
            end, numbers = _address_tail(ctx, tok.index + 1)
            if not numbers or _unit_after(ctx, end):
                continue
            detail = SCORE_DETAIL if ctx.text[tok.end:end].count(" ") > 1 else 0.0
            score = SCORE_STREET_NUMBER + detail
            spans.append(Span("ADDRESS", start, end, score, self.name,
                              Explanation(self.name, "street + house number (any case, spoken or written)",
                                          score)))
        return spans

    def _cued_answers(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        address_cues = [c for c in ctx.cues if c.cue.kind == "address"]
        starts = {c.first for c in address_cues}
        for cue in address_cues:
            if cue.last + 1 in starts:
                continue  # "asun osoitteessa …": the second cue leads the answer
            found = _answer_after(ctx, cue)
            if found is not None:
                explanation = Explanation(self.name, "street words + house number after an address cue",
                                          SCORE_CUED_ANSWER, context_cue=cue.cue.canonical)
                spans.append(Span("ADDRESS", *found, SCORE_CUED_ANSWER, self.name, explanation))
        return spans

    def _cued_streets(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for cue in ctx.cues:
            if cue.cue.kind != "address":
                continue
            for tok in ctx.tokens[cue.last + 1:cue.last + 5]:
                start = _street_start(ctx, tok)  # "muutin Birger Kaipiaisen bulevardille"
                if start is None or "paikannimi" in (ctx.word_classes(tok.text) or ()):
                    continue  # "asun Lappeenrannassa": a town whose name ends like a street
                explanation = Explanation(self.name, "street after an address cue", SCORE_CUED_STREET,
                                          context_cue=cue.cue.canonical)
                spans.append(Span("ADDRESS", max(start, ctx.tokens[cue.last].end + 1), tok.end,
                                  SCORE_CUED_STREET, self.name, explanation))
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


def _street_start(ctx: AnalysisContext, tok: Token) -> int | None:
    """Where the street ending at ``tok`` begins: a one-word street ("Asemakatu", with a name before it
    at most: "Waseniuksen puistokujalla"), or a street type after its name ("Gunnel Nymanin kuja");
    None when ``tok`` ends no street ("tie" alone is a road)."""
    if STREET_WORD.fullmatch(tok.text):
        return _street_name_before(ctx, tok, max_words=1, any_genitive=False)
    if TYPE_WORD.fullmatch(tok.text):
        start = _street_name_before(ctx, tok, max_words=2, any_genitive=True)
        return None if start == tok.start else start
    return None


def _street_name_before(ctx: AnalysisContext, tok: Token, max_words: int, any_genitive: bool) -> int:
    """Start of a street whose name precedes ``tok`` ("Gunnel Nymanin kuja", "eerik pyhän tielle",
    "Waseniuksen puistokujalla", "Vanha Rajabulevardi"); ``tok.start`` when there is none.

    Next to the street type stands a genitive (any word ending in -n but a pronoun or other function word:
    "asun", "meidän" are never street names), or one of the adjectives streets are named with; before
    that at most one more word, a first name or a word no dictionary knows ("Gunnel", "Eerik"), never a
    surname (that would be the resident: "armas ojala lentokapteenin polku …"). Before a one-word street
    (``any_genitive`` false) the genitive must itself be a name: "asennusosoitteen Salavatie 58" is the
    installation address's street, not part of its name.
    """
    start, i, taken = tok.start, tok.index - 1, 0
    while i >= 0 and taken < max_words and ctx.text[ctx.tokens[i].end:ctx.tokens[i + 1].start] == " ":
        word = ctx.tokens[i]
        if not word.text.isalpha() or ctx.cue_at(word.index):
            break
        if word.lower in STREET_ADJECTIVES:
            start = word.start
            break
        classes = ctx.word_classes(word.text) or frozenset()
        if taken == 0 and not (word.lower.endswith("n") and not classes & NOT_STREET_CLASSES
                               and (any_genitive or _name_like_word(ctx, word))):
            break
        if taken == 1 and not (word.text[:1].isupper() or not classes or "etunimi" in classes):
            break
        start, taken, i = word.start, taken + 1, i - 1
    return start


def _city(ctx: AnalysisContext, tok: Token, nxt: Token | None) -> bool:
    """The word after an address's numbers is its city: a place name anywhere; an unknown word at the end
    of the sentence or before a function word ("… lumparland kiitos"); any word ending the sentence."""
    end = nxt is None or _sentence_break(ctx, tok, nxt)
    if "paikannimi" in (ctx.word_classes(tok.text) or ()):
        return tok.text.isalpha()
    if _city_like(ctx, tok) and (end or (nxt is not None and _function_word(ctx, nxt))):
        return True
    return end and _last_word(ctx, tok)


def _last_word(ctx: AnalysisContext, tok: Token) -> bool:
    """Any word in the nominative after the numbers that ends the sentence, but a function word or a unit:
    the city ("… kuusi kaksi kaksi yhdeksän kolme virrat"); "… 21 D tiistaina" is a day."""
    cases = ctx.word_cases(tok.text)
    return (tok.text.isalpha() and len(tok.text) >= 3 and not _function_word(ctx, tok)
            and not fold(tok.text).startswith(UNIT_PREFIXES) and (not cases or "nimento" in cases))


def _name_like_word(ctx: AnalysisContext, tok: Token) -> bool:
    """Capitalised inside a sentence, or unknown to the lexicon, or known only as a name."""
    if tok.text[:1].isupper() and not _sentence_break_before(ctx, tok):
        return True
    classes = ctx.word_classes(tok.text)
    return classes is not None and (not classes or classes <= {"etunimi", "sukunimi", "paikannimi", "nimi"})


def _sentence_break_before(ctx: AnalysisContext, tok: Token) -> bool:
    return tok.index == 0 or _sentence_break(ctx, ctx.tokens[tok.index - 1], tok)


def _function_word(ctx: AnalysisContext, tok: Token) -> bool:
    """A word that ends a phrase rather than continuing it ("… lumparland kiitos", "… kotka eli")."""
    classes = ctx.word_classes(tok.text) or frozenset()
    return tok.lower in FILLERS or tok.lower in ("kiitos", "kiitti") or bool(classes & NOT_STREET_CLASSES)


def _unit_after(ctx: AnalysisContext, end: int) -> bool:
    nxt = next((t for t in ctx.tokens if t.start >= end), None)
    return nxt is not None and fold(nxt.text).startswith(UNIT_PREFIXES)


def _unknown(ctx: AnalysisContext, tok: Token) -> bool:
    return not ctx.word_classes(tok.text)


def _sentence_break(ctx: AnalysisContext, left: Token, right: Token) -> bool:
    return any(c in SENTENCE_END for c in ctx.text[left.end:right.start])


def _number_at(ctx: AnalysisContext, tok: Token) -> int | None:
    """End offset of the house/flat number or postcode starting at ``tok`` (a spoken run or digits)."""
    if tok.text.isascii() and HOUSE_NUMBER.fullmatch(tok.text):
        return tok.end
    return next((r.end for r in ctx.normalised.runs if r.start == tok.start), None)


def _city_like(ctx: AnalysisContext, tok: Token) -> bool:
    classes = ctx.word_classes(tok.text) or frozenset()
    return tok.text.isalpha() and len(tok.text) >= 3 and (not classes or "paikannimi" in classes)


def _address_tail(ctx: AnalysisContext, i: int) -> tuple[int, bool]:
    """Where the numbers, letters and city after a street end, from token ``i`` on; and whether a number
    was among them. Stops at a sentence break and at any ordinary word."""
    toks = ctx.tokens
    end, numbers = -1, False
    while i < len(toks) and not (i > 0 and _sentence_break(ctx, toks[i - 1], toks[i])):
        tok, nxt = toks[i], toks[i + 1] if i + 1 < len(toks) else None
        reading = classify_word(tok.text)
        number_end = _number_at(ctx, tok)
        if number_end is not None:
            end, numbers = number_end, True
            while i < len(toks) and toks[i].start < number_end:
                i += 1
            continue
        if numbers and reading is not None and reading.kind == "letter":
            end = tok.end  # staircase "bee", "a"
        elif numbers and tok.lower in FLAT_WORDS and nxt is not None and _number_at(ctx, nxt) is not None:
            end = tok.end  # "… asunto viisitoista"
        elif (nxt is not None and _unknown(ctx, tok) and len(tok.text) <= 8
              and not _sentence_break(ctx, tok, nxt) and _number_at(ctx, nxt) is not None):
            end = tok.end  # a garbled number word right before a readable one ("siimee kaksi toista")
        elif numbers and _city(ctx, tok, nxt):
            return tok.end, numbers
        else:
            break
        i += 1
    return end, numbers


def _answer_after(ctx: AnalysisContext, cue: CueMatch) -> tuple[int, int] | None:
    """The whole answer after an address cue: street words, a house number, details, to the sentence end."""
    toks = ctx.tokens
    i = cue.last + 1
    while i < len(toks) and toks[i].lower in FILLERS:
        i += 1
    first = i
    while i < len(toks) and i - first < MAX_STREET_WORDS and _number_at(ctx, toks[i]) is None:
        tok = toks[i]
        classes = ctx.word_classes(tok.text) or frozenset()
        if i > first and len(tok.text) <= 3 and tok.text.isalpha() and not _sentence_break(ctx, toks[i - 1], tok):
            i += 1  # a piece of a garbled street that happens to be a word: "Koi muku ja" for "Koivukuja"
            continue
        if (not tok.text.isalpha() or classes & NOT_STREET_CLASSES or tok.lower in FILLERS
                or (i > first and _sentence_break(ctx, toks[i - 1], tok))):
            return None
        i += 1
    if i == first or i >= len(toks) or _sentence_break(ctx, toks[i - 1], toks[i]):
        return None
    end, numbers = _address_tail(ctx, i)
    last = next((t for t in reversed(toks) if t.end <= end), None)
    if not numbers or last is None:
        return None
    following = toks[last.index + 1] if last.index + 1 < len(toks) else None
    if following is not None and not _sentence_break(ctx, last, following):
        return None  # the sentence goes on after the number ("asun kerrostalossa kolme vuotta")
    return toks[first].start, end
