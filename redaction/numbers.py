"""Forgiving Finnish spoken-number normaliser with an offset map back to the original text.

Whisper base writes every number as words, and often misspells or splits them ("nolra neljä nolra", "kuu
si", "kaksi toista", "eljä kymmentäytekän"). No library converts those (text2num and number-parser refuse
Finnish), so this module does, with one rule that keeps ordinary words safe: a fuzzy or ambiguous word
("kuu", "suksi", "kahden") only becomes a digit inside a *run* of number words that also holds a certain
one, or three near-certain ones.

``normalise(text)`` returns a :class:`NormalisedText` whose ``text`` has each spoken run rewritten as the
string an identifier validator expects ("290284-0011", "FI5010…", "0452345678"), and whose ``to_original``
maps any span found there back to exact offsets in the original, so a recognizer can work on digits and
still redact the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from stdnum import iban

from redaction.spoken import LETTER_NAMES, Token, best_match, fold, only_spacing, tokenize
from redaction.types import NameLexicon

Kind = Literal["digit", "number", "letter", "sep"]
Certainty = Literal["exact", "strong", "weak", "guess"]  # guess: a fuzzy near-miss, trusted least

# Certain digit words: standard and colloquial forms that mean nothing else.
DIGIT_WORDS: dict[str, str] = {
    "nolla": "0", "yksi": "1", "yks": "1", "kaksi": "2", "kaks": "2", "kolme": "3", "neljä": "4",
    "viisi": "5", "kuusi": "6", "seitsemän": "7", "seittemän": "7", "kahdeksan": "8", "kaheksan": "8",
    "yhdeksän": "9", "yheksän": "9",
}
# Misspellings Whisper base makes of digit words (FINDINGS.md) that are not Finnish words themselves.
MISSPELT: dict[str, str] = {
    "nolra": "0", "noulra": "0", "nola": "0", "uksi": "1", "kahksi": "2", "koulme": "3", "eljä": "4",
    "nelja": "4",
    "misi": "5", "visi": "5", "semmän": "7", "seitsemä": "7", "saitsemän": "7", "karteksan": "8",
    "kahteksan": "8", "kahdeksa": "8", "yhdeksä": "9",
}
# Forms that are numbers only when they sit in a run: inflected numerals ("kahden ja neljän välillä" is a
# time, not an identifier), slang that is also a common word ("kasi" ~ käsi, "kuu" = moon, "kusi"),
# letter-like stubs.
AMBIGUOUS: dict[str, str] = {
    "viis": "5", "kuus": "6", "kasi": "8", "ysi": "9", "seiska": "7", "kusi": "6", "kuu": "6", "nol": "0",
    "yksin": "1", "nollan": "0", "yhden": "1", "kahden": "2", "kolmen": "3", "neljän": "4", "viiden": "5",
    "kuuden": "6", "seitsemän": "7", "kahdeksan": "8", "yhdeksän": "9", "ykkönen": "1", "kakkonen": "2",
    "kolmonen": "3", "nelonen": "4", "vitonen": "5", "kutonen": "6", "nollaa": "0", "yhtä": "1", "kahta": "2",
}
# Ordinals ("viides", "neljättä", "kolmannen", "viidestoista", folded) are dates and positions ("viides
# neljättä" = 5 April), never digits of an identifier; the fuzzy matcher would otherwise read "viides" as 5.
ORDINAL = re.compile(r"(?:ensimmai|toi|yhde|kahde|kolma|nelja|viide|kuude|seitsema|kahdeksa|yhdeksa|kymmene)"
                     r"(?:s|nen|tta|sta|nnen|ntena|nteen|nnelle|nnella|nnelta|nnessa|nnesta|nneksi|nnet)"
                     r"(?:toista|kymmenes|kymmenetta|kymmenennen)?")
_FUZZY_FORMS: tuple[str, ...] = tuple({**DIGIT_WORDS, **MISSPELT})
_FUZZY_VALUE: dict[str, str] = {**DIGIT_WORDS, **MISSPELT}

# Morphemes of compound numerals, folded (ä -> a) so that "neljäkymmentä" and "neljakymmenta" parse alike.
_UNITS: dict[str, int] = {
    "yksi": 1, "yks": 1, "kaksi": 2, "kaks": 2, "kolme": 3, "nelja": 4, "viisi": 5, "viis": 5, "kuusi": 6,
    "kuus": 6, "seitseman": 7, "seitteman": 7, "kahdeksan": 8, "kaheksan": 8, "yhdeksan": 9, "yheksan": 9,
}
_MULTIPLIERS = ("kymmenta", "kymmenen", "toista", "sataa", "sata", "tuhatta", "tuhat")
_MULT_RE = re.compile("(" + "|".join(_MULTIPLIERS) + ")")

STRONG = 0.72  # similarity above which an unknown word is taken for a misspelt digit word
WEAK = 0.6  # similarity above which a word may count as a digit inside a run


@dataclass(frozen=True)
class NumberWord:
    """What one word (or a re-joined split word) contributes to a spoken identifier."""

    text: str  # digits, one letter, or a separator ("-", "+")
    kind: Kind
    certainty: Certainty


@dataclass(frozen=True)
class NumberItem:
    """A number word located in the original text (may span two tokens, e.g. "kuu si")."""

    start: int
    end: int
    word: NumberWord


@dataclass(frozen=True)
class NumberRun:
    """A maximal run of number words read as one identifier-shaped string."""

    start: int
    end: int
    value: str  # e.g. "290284-0011", "FI50103456", "5B12"
    items: tuple[NumberItem, ...]

    @property
    def spoken(self) -> bool:
        """True when at least one item was a word rather than written digits."""
        return any(not _looks_written(it) for it in self.items)

    @property
    def digit_count(self) -> int:
        return sum(c.isdigit() for c in self.value)

    @property
    def digit_items(self) -> int:
        return sum(it.word.kind in ("digit", "number") for it in self.items)

    def count(self, certainty: Certainty) -> int:
        return sum(it.word.certainty == certainty for it in self.items if it.word.kind in ("digit", "number"))


def _is_ascii_digits(item: NumberItem) -> bool:
    return item.word.kind == "digit" and item.word.certainty == "exact" and item.end - item.start == 1


@dataclass(frozen=True)
class NormalisedText:
    """Text with spoken number runs rewritten; ``to_original`` maps normalised offsets back."""

    original: str
    text: str
    runs: tuple[NumberRun, ...]
    _starts: tuple[int, ...] = field(repr=False, default=())
    _ends: tuple[int, ...] = field(repr=False, default=())

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` of ``text`` to the smallest original range that produced it.

        A span touching part of a rewritten run maps to the whole run: redacting half a spoken number would
        leak the other half.
        """
        n = len(self.text)
        if not 0 <= start <= end <= n:
            raise ValueError("span outside the normalised text")
        if start == end:
            pos = self._starts[start] if start < n else len(self.original)
            return pos, pos
        return self._starts[start], self._ends[end - 1]


# ------------------------------------------------------------------------------------- compound numerals


def _eval_morphemes(parts: list[tuple[str, int | None]]) -> int | None:
    """Evaluate a parsed numeral: parts are (morpheme, unit value or None for a multiplier).

    Place values must fall within each thousand-group (hundreds, then tens or teens, then units), so
    "kaksikymmentäyhdeksänkymmentäkuusi" is no numeral (it is 20 and 96 run together), where an order-blind
    sum would read 116.
    """
    total = group = 0
    floor = 1000  # the smallest place value used in the current group so far
    pending: int | None = None
    thousands = False
    for morph, unit in parts:
        if unit is not None:
            if pending is not None:
                return None
            pending = unit
        elif morph in ("tuhat", "tuhatta"):
            lower = group + (pending or 0)
            if thousands or (morph == "tuhat" and lower) or (morph == "tuhatta" and lower < 2):
                return None
            total, group, pending, floor, thousands = (lower or 1) * 1000, 0, None, 1000, True
        else:
            place = 100 if morph in ("sata", "sataa") else 10
            if place >= floor:
                return None
            added = _group_part(morph, pending)
            if added is None:
                return None
            group, pending = group + added, None
            floor = 1 if morph in ("toista", "kymmenen") else place
    if pending is not None and floor <= 1:
        return None
    return total + group + (pending or 0)


def _group_part(morph: str, pending: int | None) -> int | None:
    """What one multiplier adds to its group, given the unit before it (None: no unit)."""
    if morph == "toista":
        return None if pending is None else pending + 10
    if morph in ("kymmenen", "sata"):
        return None if pending is not None else (10 if morph == "kymmenen" else 100)
    if pending is None or pending < 2:
        return None
    return pending * (10 if morph == "kymmenta" else 100)


# Multipliers as the ASR misspells them ("kymmentän", "tuhakta", "sataa"): letter classes, not a list of
# garbles, so a slip nobody has seen yet still reads as a numeral. Used only in fuzzy mode.
_FUZZY_MULTIPLIERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"k[yuio]m{1,2}[ea]n{1,2}t[ae]"), "kymmenta"),
    (re.compile(r"k[yuio]m{1,2}[ea]n{1,2}[ea]n"), "kymmenen"),
    (re.compile(r"t[uo]h[ae][tkd]{2}[ae]"), "tuhatta"),
    (re.compile(r"t[uo]h[ae][tkd]"), "tuhat"),
    (re.compile(r"s[ae]t[ae]{2}"), "sataa"),
    (re.compile(r"s[ae]t[ae]"), "sata"),
    (re.compile(r"t[oi]ist[ae]"), "toista"),
)
_FUZZY_MULT_RE = re.compile("(" + "|".join(p.pattern for p, _ in _FUZZY_MULTIPLIERS) + ")")
MAX_STRAY = 2  # letters the ASR runs into a garbled numeral ("kymmentän" = kymmentä + n)


def _canonical_multiplier(piece: str) -> str | None:
    return next((canon for pattern, canon in _FUZZY_MULTIPLIERS if pattern.fullmatch(piece)), None)


@lru_cache(maxsize=8192)
def parse_compound(word: str, *, fuzzy: bool = False) -> int | None:
    """Value of a compound numeral ("neljäkymmentäyhdeksän" -> 49, "kaksitoista" -> 12, "sata" -> 100).

    Strict by default: every morpheme spelt right and in order, which keeps "satama", "sataa" (it rains)
    and "toistaiseksi" out. With ``fuzzy`` a garbled numeral is read as well as it can be: unit parts may
    be misspelt ("kymmentäytekän" -> 99), multipliers may be misspelt ("tuhakta"), a unit the ASR dropped
    counts as one ("kymmentäyksi" -> 11) and up to two stray letters are ignored ("kymmentän"). The value
    is then approximate; what matters is that the word is a numeral and roughly how many digits it says.
    """
    w = fold(word)
    if not fuzzy:
        pieces = [p for p in _MULT_RE.split(w) if p]
        if not pieces or not any(p in _MULTIPLIERS for p in pieces):
            return None
        parts: list[tuple[str, int | None]] = []
        for p in pieces:
            if p in _MULTIPLIERS:
                parts.append((p, None))
            elif p in _UNITS:
                parts.append((p, _UNITS[p]))
            else:
                return None
        return _eval_morphemes(parts)
    reading = fuzzy_compound(w)
    return reading[0] if reading is not None else None


@lru_cache(maxsize=8192)
def fuzzy_compound(word: str) -> tuple[int, bool] | None:
    """A garbled compound numeral's approximate value, and whether the reading is strong: two morphemes or
    more, one multiplier spelt right, no stray letters ("kymmentäyksi", "tuhakksisataa"). A lone multiplier
    ("sataa" = it rains) or one with stray letters ("kymmentän", "satama") is only a guess."""
    w = fold(word)
    pieces = [p for p in _FUZZY_MULT_RE.split(w) if p]
    if not any(_canonical_multiplier(p) for p in pieces):
        return None
    parts: list[tuple[str, int | None]] = []
    stray = 0
    for k, p in enumerate(pieces):
        canon = _canonical_multiplier(p)
        if canon is not None:
            parts.append((canon, None))
        elif p in _UNITS:
            parts.append((p, _UNITS[p]))
        elif len(p) >= 3:
            form, score = best_match(p, tuple(_UNITS))
            if form is None or score < 0.7 or abs(len(form) - len(p)) > 2:
                return None
            parts.append((p, _UNITS[form]))
        else:
            stray += len(p)
            if stray > MAX_STRAY or k != len(pieces) - 1:
                return None  # only a trailing slip ("kymmentän"); "äf kymmenen" is a letter and a number
    strong = len(parts) >= 2 and not stray and any(p in _MULTIPLIERS for p in pieces)
    return _eval_lenient(parts), strong


def _eval_lenient(parts: list[tuple[str, int | None]]) -> int:
    """Like ``_eval_morphemes`` where the numeral is well formed; otherwise an approximate reading in which a
    multiplier without its unit counts the unit as one ("kymmentäyksi" -> 11, "yksi sataa" -> 100)."""
    value = _eval_morphemes(parts)
    if value is not None:
        return value
    scale = {"kymmenta": 10, "kymmenen": 10, "sata": 100, "sataa": 100, "tuhat": 1000, "tuhatta": 1000}
    total, pending = 0, None
    for morph, unit in parts:
        if unit is not None:
            total, pending = total + (pending or 0), unit
        elif morph == "toista":
            total, pending = total + (pending or 1) + 10, None
        else:
            total, pending = total + (pending or 1) * scale[morph], None
    return total + (pending or 0)


# ------------------------------------------------------------------------------------------ single words


@lru_cache(maxsize=65536)
def classify_word(word: str) -> NumberWord | None:
    """What ``word`` is as part of a spoken identifier, or None when it cannot be one.

    Pure and context-free: whether a weak reading counts is decided by the run it sits in.
    """
    lw = word.lower()
    if word.isascii() and word.isdigit():
        return NumberWord(word, "digit" if len(word) == 1 else "number", "exact")
    if lw in DIGIT_WORDS:
        return NumberWord(DIGIT_WORDS[lw], "digit", "exact")
    if lw in MISSPELT:
        return NumberWord(MISSPELT[lw], "digit", "strong")
    if lw in AMBIGUOUS:
        return NumberWord(AMBIGUOUS[lw], "digit", "weak")
    value = parse_compound(lw)
    if value is not None:
        return NumberWord(str(value), "number" if value >= 10 else "digit", "exact")
    if lw in LETTER_NAMES:
        return NumberWord(LETTER_NAMES[lw], "letter", "weak")
    if len(lw) == 1 and lw.isalpha():
        return NumberWord(word.upper(), "letter", "weak")
    if lw in ("viiva", "väliviiva", "tavuviiva"):
        return NumberWord("-", "sep", "weak")
    if ORDINAL.fullmatch(fold(lw)):
        return None
    if lw == "plus":
        return NumberWord("+", "sep", "weak")
    return _classify_fuzzy(lw)


def _classify_fuzzy(lw: str) -> NumberWord | None:
    if not lw.isalpha() or len(lw) < 3:
        return None
    if len(lw) >= 5:
        compound = fuzzy_compound(lw)
        if compound is not None:
            value, strong = compound
            return NumberWord(str(value), "number" if value >= 10 else "digit", "strong" if strong else "guess")
    if 7 <= len(lw) <= 2 * MAX_DIGIT_PIECE:
        fused = _fused_digits(lw)
        if fused is not None:
            return fused
    if len(lw) > 11:
        return None
    form, score = best_match(lw, _FUZZY_FORMS)
    if form is None:
        return None
    # Four-letter near misses are too often real words ("olla" ~ nolla): they stay guesses.
    if len(lw) >= 5 and score >= STRONG:
        return NumberWord(_FUZZY_VALUE[form], "digit", "strong")
    if score >= (0.8 if len(lw) == 3 else WEAK):
        return NumberWord(_FUZZY_VALUE[form], "digit", "guess")
    return None


MAX_DIGIT_PIECE = 10  # the longest digit word, "kahdeksan"/"seitsemän", and one garbled letter
FUSED_SIMILARITY = 0.8


def _fused_digits(lw: str) -> NumberWord | None:
    """Two digit words the ASR ran together ("nolrakousi" = nolla kuusi, "eljäkuu" = neljä kuu[si])."""
    for cut in range(max(3, len(lw) - MAX_DIGIT_PIECE), min(len(lw) - 2, MAX_DIGIT_PIECE + 1)):
        left = _digit_part(lw[:cut])
        right = _digit_part(lw[cut:]) if left is not None else None
        if left is not None and right is not None:
            return NumberWord(left + right, "number", "strong")
    return None


def _digit_part(piece: str) -> str | None:
    for table in (DIGIT_WORDS, MISSPELT, AMBIGUOUS):
        if piece in table and len(table[piece]) == 1:
            return table[piece]
    if len(piece) < 4:
        return None
    # A piece of a fused word starts like its digit word, give or take one letter ("eljä" = neljä): that
    # cheap test leaves a few forms to score instead of all of them.
    forms = tuple(f for f in _FUZZY_FORMS if piece[0] in f[:2] or f[0] in piece[:2])
    form, _score = best_match(piece, forms, at_least=FUSED_SIMILARITY)
    return _FUZZY_VALUE[form] if form is not None else None


def read_word(word: str, lexicon: NameLexicon | None = None) -> NumberWord | None:
    """``classify_word`` with the lexicon's veto: a fuzzy match that is a real Finnish word ("taksi" ~
    kaksi, "tarkistan" ~ kahdeksan) is only a guess."""
    return _demote_known(classify_word(word), word, lexicon)


def _demote_known(reading: NumberWord | None, word: str, lexicon: NameLexicon | None) -> NumberWord | None:
    if reading is None or reading.certainty != "strong" or lexicon is None:
        return reading
    classes = lexicon.classes(word)
    if classes and "lukusana" not in classes:
        return NumberWord(reading.text, reading.kind, "guess")
    return reading


def _complete(word: NumberWord | None) -> bool:
    """A numeral that stands on its own ("kaksi", "kaksikymmentä"), not a fragment ("kymmentä", "toista")."""
    return word is not None and word.certainty == "exact" and word.kind in ("digit", "number")


def _confident(word: NumberWord | None) -> bool:
    return word is not None and word.certainty in ("exact", "strong") and word.kind in ("digit", "number")


def _join_value(a: Token, b: Token) -> NumberWord | None:
    """A split numeral re-joined: "kuu si" -> kuusi, "kaksi toista" -> 12, "eljä kymmentäytekän" -> 49."""
    joined = a.lower + b.lower
    if joined in DIGIT_WORDS:
        return NumberWord(DIGIT_WORDS[joined], "digit", "exact")
    starts_mult = any(fold(b.lower).startswith(m) for m in _MULTIPLIERS)
    ends_mult = any(fold(a.lower).endswith(m) for m in _MULTIPLIERS)
    if not (starts_mult or ends_mult):
        # "kah deksan": join two fragments neither of which is a confident digit word by itself.
        if any(_confident(classify_word(t)) for t in (a.text, b.text)):
            return None
        form, score = best_match(joined, _FUZZY_FORMS)
        if form is not None and score >= 0.85:
            return NumberWord(_FUZZY_VALUE[form], "digit", "strong")
        return None
    value = parse_compound(joined)
    if value is not None:
        return NumberWord(str(value), "number" if value >= 10 else "digit", "exact")
    value = parse_compound(joined, fuzzy=True) if starts_mult else None
    if value is not None:
        return NumberWord(str(value), "number" if value >= 10 else "digit", "guess")
    return None


# ------------------------------------------------------------------------------------------------- runs


def number_items(text: str, tokens: list[Token] | None = None,
                 lexicon: NameLexicon | None = None) -> list[tuple[Token, Token, NumberWord | None]]:
    """Each word of ``text`` (split numerals re-joined) with its number reading, as (first, last, reading).

    With a lexicon, a fuzzy match that is a real Finnish word ("taksi" ~ kaksi) is demoted to a guess.
    """
    tokens = tokenize(text) if tokens is None else tokens
    out: list[tuple[Token, Token, NumberWord | None]] = []
    i = 0
    while i < len(tokens):
        first = last = tokens[i]
        word = classify_word(first.text)
        # Greedily re-join split numerals while the joined form still parses ("neljä kymmentä yhdeksän").
        while last.index + 1 < len(tokens) and text[last.end:tokens[last.index + 1].start] == " ":
            nxt = tokens[last.index + 1]
            if (_complete(word) and _complete(classify_word(nxt.text))) or (
                    word is not None and word.kind in ("letter", "sep")):
                break  # "seitsemäntoista kolmetuhatta…": two whole numerals are read in turn, not summed
            merged = _join_value(Token(text[first.start:last.end].replace(" ", ""), first.start, last.end,
                                       first.index), nxt)
            downgrade = word is not None and word.certainty == "exact" and merged is not None \
                and merged.certainty != "exact" and classify_word(nxt.text) is not None
            if merged is None or downgrade:
                break
            word, last = merged, nxt
        if first is last:
            word = _demote_known(word, first.text, lexicon)
        out.append((first, last, word))
        i = last.index + 1
    return out


def find_runs(text: str, *, tokens: list[Token] | None = None, lexicon: NameLexicon | None = None,
              after_cues: Iterable[int] = ()) -> list[NumberRun]:
    """Maximal runs of number words; weak readings count only beside a certain one.

    A run is kept when it holds at least one exact number word or three strong (misspelt) ones. Letters
    ("hoo", "bee", "m") and "viiva" may sit inside a run; a run may *start* with letters only when they are
    written single capitals ("F I") or the run follows a cue ending at one of ``after_cues`` (character
    offsets).
    """
    cue_ends = set(after_cues)
    items = number_items(text, tokens, lexicon)
    runs: list[NumberRun] = []
    current: list[tuple[Token, Token, NumberWord]] = []

    def flush() -> None:
        if current:
            run = _make_run(text, current, cue_ends)
            if run is not None:
                runs.append(run)
            current.clear()

    gap_end = -1  # end of a garbled word the current run spans
    for k, (first, last, word) in enumerate(items):
        if word is None:
            if current and gap_end < 0 and _garbled_gap(first, lexicon, current[-1][2], items[k + 1:k + 2]) \
                    and only_spacing(text[current[-1][1].end:first.start]):
                gap_end = first.end
            else:
                flush()
                gap_end = -1
            continue
        since = gap_end if gap_end >= 0 else (current[-1][1].end if current else first.start)
        if current and not only_spacing(text[since:first.start]):
            flush()
        gap_end = -1
        current.append((first, last, word))
    flush()
    return runs


def _garbled_gap(tok: Token, lexicon: NameLexicon | None, before: NumberWord,
                 after: list[tuple[Token, Token, NumberWord | None]]) -> bool:
    """One short word no dictionary knows between two confident number words is a digit the ASR garbled
    ("… yksi misi heen eljä nollaa": "heen" was the letter E); the run goes on over it."""
    if lexicon is None or len(tok.text) > 4 or not tok.text.isalpha() or lexicon.classes(tok.text):
        return False
    return _confident(before) and bool(after) and _confident(after[0][2])


def _make_run(text: str, seq: list[tuple[Token, Token, NumberWord]], cue_ends: set[int]) -> NumberRun | None:
    # Guesses at the edges are dropped: they are trusted only between two better readings.
    is_num = [w.kind in ("digit", "number") and w.certainty != "guess" for _, _, w in seq]
    if not any(is_num):
        return None
    lo, hi = is_num.index(True), len(seq) - 1 - is_num[::-1].index(True)
    # Leading letters: written capitals ("F I 50…") or letter names right after a cue ("tilinumero äf ii …").
    after_cue = _follows_cue(text, seq[0][0].start, cue_ends)
    letters = 0
    while lo > 0:
        tok, _, w = seq[lo - 1]
        if w.kind == "sep" and w.text == "+":
            lo -= 1
            continue
        if w.kind == "letter" and (after_cue or (len(tok.text) == 1 and tok.text.isupper())) and letters < 2:
            lo, letters = lo - 1, letters + 1
            continue
        break
    # One trailing letter: the HETU check character ("… yksi kaksi hoo").
    if hi + 1 < len(seq) and seq[hi + 1][2].kind == "letter":
        hi += 1
    if letters == 0 and lo >= 2 and _iban_prefix(seq[lo - 2:hi + 1]):
        lo -= 2  # "äf ii kahdeksan kaksi …" with no cue: the country letters belong to a valid IBAN
    elif letters == 0:
        lo = _code_prefix(seq, lo, hi)
    body = seq[lo:hi + 1]
    # Anchors are number *words* read with confidence; written digits do not lend weight to a nearby guess.
    anchors = sum(w.kind in ("digit", "number") and w.certainty == "exact" and not _written(a, b, w)
                  for a, b, w in body)
    strong = sum(w.kind in ("digit", "number") and w.certainty == "strong" for _, _, w in body)
    if anchors == 0 and strong < 3 and not all(_written(a, b, w) for a, b, w in body):
        return None
    items = tuple(NumberItem(a.start, b.end, w) for a, b, w in body)
    return NumberRun(items[0].start, items[-1].end, _run_value(items), items)


def _code_prefix(seq: list[tuple[Token, Token, NumberWord]], lo: int, hi: int) -> int:
    """Start of a long code with a spoken letter prefix ("koo än viiva seitsemänkymmentä…" = KN-70…):
    up to three letter names and a dash before a run of six digits or more belong to it."""
    digits = sum(len(w.text) for _, _, w in seq[lo:hi + 1] if w.kind in ("digit", "number"))
    if digits < 6:
        return lo
    k = lo
    if k > 0 and seq[k - 1][2].kind == "sep" and seq[k - 1][2].text == "-":
        k -= 1
    letters = 0
    while k > 0 and seq[k - 1][2].kind == "letter" and letters < 3:
        k, letters = k - 1, letters + 1
    return k if letters else lo


def _iban_prefix(seq: list[tuple[Token, Token, NumberWord]]) -> bool:
    """Two spoken letters followed by digits that together pass the IBAN checksum (mod 97: chance alone
    passes about one string in a hundred, and only after two letter names)."""
    if not all(w.kind == "letter" for _, _, w in seq[:2]):
        return False
    value = "".join(w.text for _, _, w in seq)
    return iban.is_valid(value)


def _written(first: Token, last: Token, word: NumberWord) -> bool:
    return first is last and first.text.isascii() and first.text.isdigit()


def _follows_cue(text: str, start: int, cue_ends: set[int]) -> bool:
    if not cue_ends:
        return False
    # Allow a copula between the cue and the run ("tilinumero on äf ii …").
    head = text[:start].rstrip(" ,:")
    for copula in (" on", " olis", " olisi", " oli"):
        if head.lower().endswith(copula):
            head = head[: -len(copula)].rstrip(" ,:")
            break
    return len(head) in cue_ends


def _run_value(items: tuple[NumberItem, ...]) -> str:
    """Concatenate a run; "kaksikymmentä kolme" adds up (23), "kaksi kolme" concatenates (23) too."""
    pieces: list[str] = []
    last_round = 0  # trailing zeros of the previous piece when it was a round compound (20, 100)
    for it in items:
        w = it.word
        is_round_compound = w.kind == "number" and not _looks_written(it) and w.text.endswith("0")
        if w.kind in ("digit", "number") and last_round and int(w.text) < 10 ** last_round and pieces:
            pieces[-1] = str(int(pieces[-1]) + int(w.text))
        else:
            pieces.append(w.text)
        last_round = len(pieces[-1]) - len(pieces[-1].rstrip("0")) if is_round_compound else 0
    return "".join(pieces)


def _looks_written(item: NumberItem) -> bool:
    return item.word.certainty == "exact" and item.word.text.isdigit() and item.end - item.start == len(
        item.word.text)


def normalise(text: str, *, lexicon: NameLexicon | None = None,
              after_cues: Iterable[int] = ()) -> NormalisedText:
    """Rewrite spoken number runs as digit strings; leave everything else byte-identical.

    A run made only of written digits stays as written, except a run of three or more single digits ("0 4 0
    1 2 3"), which is closed up so that validators see one number.
    """
    runs = find_runs(text, lexicon=lexicon, after_cues=after_cues)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    kept: list[NumberRun] = []
    for run in runs:
        spoken = run.spoken
        spaced_digits = len(run.items) >= 3 and all(_is_ascii_digits(it) for it in run.items)
        if not (spoken or spaced_digits):
            continue
        kept.append(run)
        for k in range(pos, run.start):
            out.append(text[k])
            starts.append(k)
            ends.append(k + 1)
        out.append(run.value)
        starts.extend([run.start] * len(run.value))
        ends.extend([run.end] * len(run.value))
        pos = run.end
    for k in range(pos, len(text)):
        out.append(text[k])
        starts.append(k)
        ends.append(k + 1)
    return NormalisedText(text, "".join(out), tuple(kept), tuple(starts), tuple(ends))
