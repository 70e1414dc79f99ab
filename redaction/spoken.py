"""Word tokens with offsets and fuzzy string similarity for Finnish ASR text.

Whisper writes spoken identifiers as garbled words ("nolra", "Sillin umet" for "tilinumero"); every
recognizer that has to see through that needs the same two tools: words with exact offsets into the original
text, and one similarity measure that forgives a missing umlaut or a doubled letter. They live here so the
number normaliser, the cue matcher and the recognizers agree on what a "word" and a "near miss" are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

_WORD = re.compile(r"\w+")

# Finnish pronunciations of letters, as they turn up inside spoken identifiers (HETU check character, IBAN
# country, staircase letter). Fillers that double as letter names ("ää", "öö") are left out on purpose.
LETTER_NAMES: dict[str, str] = {
    "aa": "A", "bee": "B", "see": "C", "cee": "C", "dee": "D", "ee": "E", "äf": "F", "äff": "F", "äffä": "F", "ef": "F",
    "gee": "G", "hoo": "H", "ii": "I", "jii": "J", "koo": "K", "äl": "L", "äll": "L", "äm": "M", "än": "N",
    "oo": "O", "pee": "P", "är": "R", "ärrä": "R", "äs": "S", "äss": "S", "ässä": "S", "tee": "T", "uu": "U",
    "vee": "V", "kaksoisvee": "W", "äks": "X", "äksä": "X", "yy": "Y", "tset": "Z", "tseta": "Z",
}


@dataclass(frozen=True)
class Token:
    """One word of the analysed text; ``start``/``end`` index the original string."""

    text: str
    start: int
    end: int
    index: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def tokenize(text: str) -> list[Token]:
    """Split into ``\\w+`` words (digits included); punctuation and spaces are gaps between tokens."""
    return [Token(m.group(), m.start(), m.end(), i) for i, m in enumerate(_WORD.finditer(text))]


def fold(word: str) -> str:
    """Lower-case and drop umlauts: ASR often writes 'a' for 'ä', and the comparison should not care."""
    return word.lower().replace("ä", "a").replace("ö", "o").replace("å", "o")


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """Ratcliff/Obershelp similarity (0..1) of the folded strings; cached because vocabularies repeat."""
    return SequenceMatcher(None, fold(a), fold(b)).ratio()


def best_match(word: str, forms: tuple[str, ...], at_least: float = 0.0) -> tuple[str | None, float]:
    """The form in ``forms`` most similar to ``word`` and its similarity; cheap length filter first.

    ``at_least``: forms less similar than this do not count (and are skipped unscored where their length
    alone rules them out), so a caller with a threshold pays for the few plausible forms only.
    """
    best, score = None, 0.0
    n = len(word)
    for form in forms:
        # Two strings can only reach ratio r if their lengths are close: skip hopeless pairs quickly.
        bound = 2 * min(n, len(form)) / (n + len(form))
        if bound <= score or bound < at_least:
            continue
        s = similarity(word, form)
        if s > score and s >= at_least:
            best, score = form, s
    return best, score


def gap_text(text: str, left: Token, right: Token) -> str:
    """The characters between two tokens (punctuation and spaces)."""
    return text[left.end:right.start]


def only_spacing(gap: str) -> bool:
    """True when a gap holds nothing but spaces, commas, periods or dashes (no sentence-breaking newline)."""
    return all(c in " \t,.;:-–…" for c in gap)
