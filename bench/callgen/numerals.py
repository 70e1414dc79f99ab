"""Finnish number words and letter names, the way a caller reads numbers and spells codes aloud.

The ``spoken`` rendering must say every digit and letter of an identifier in words, because that is what
Whisper writes for Finnish speech (FINDINGS.md: numbers come out as words, never digits). People do not read
long numbers digit by digit only: they read pairs ("kaksitoista nolla neljä"), written groups as compound
numerals ("satakaksikymmentäkolme") and switch to colloquial short forms ("yks", "kaks", "seittemän"). A
:class:`Reading` holds those choices for one line, drawn from the line's random generator, so one line is
read one way consistently and the corpus as a whole covers every way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DIGITS = ("nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan", "yhdeksän")
# Spoken short forms; "nolla", "kolme" and "neljä" have none in common speech.
COLLOQUIAL = {"yksi": "yks", "kaksi": "kaks", "viisi": "viis", "kuusi": "kuus", "seitsemän": "seittemän",
              "kahdeksan": "kaheksan", "yhdeksän": "yheksän"}

# Finnish names of the letters (what a caller says when spelling "AS-1234" or a henkilötunnus check mark).
LETTERS = {
    "a": "aa", "b": "bee", "c": "see", "d": "dee", "e": "ee", "f": "äf", "g": "gee", "h": "hoo", "i": "ii",
    "j": "jii", "k": "koo", "l": "äl", "m": "äm", "n": "än", "o": "oo", "p": "pee", "q": "kuu", "r": "är",
    "s": "äs", "t": "tee", "u": "uu", "v": "vee", "w": "kaksoisvee", "x": "äks", "y": "yy", "z": "tset",
    "å": "ruotsalainen oo", "ä": "ää", "ö": "öö",
}
LETTER_VARIANTS = {"c": ("see", "cee")}
SYMBOLS = {"-": "viiva", "+": "plus", "@": "ät", ".": "piste", "_": "alaviiva", "/": "kauttaviiva"}


@dataclass(frozen=True)
class Reading:
    """How one line reads its numbers: one choice per line, so a caller is consistent within a sentence.

    ``mode``: "digits" (every digit alone), "pairs" (two digits as one number), "groups" (each written
    group as one compound numeral when it has no leading zero, else pairs). ``colloquial``: the share of
    digit words said in their short form. ``commas``: Whisper's habit of writing a comma between read groups.
    ``joined``: compound numerals written as one word ("tuhatkaksisataa") or with a space after thousands
    and hundreds ("tuhat kaksisataa kolmekymmentäneljä").
    """

    mode: str
    colloquial: float
    commas: bool
    joined: bool

    @classmethod
    def draw(cls, rng: random.Random) -> Reading:
        return cls(mode=rng.choices(("digits", "pairs", "groups"), weights=(5, 2, 3))[0],
                   colloquial=rng.choice((0.0, 0.0, 0.0, 0.4, 0.8)),
                   commas=rng.random() < 0.4, joined=rng.random() < 0.6)


def digit_word(d: str, reading: Reading, rng: random.Random) -> str:
    word = DIGITS[int(d)]
    if word in COLLOQUIAL and rng.random() < reading.colloquial:
        return COLLOQUIAL[word]
    return word


def _colloquial_parts(word: str, reading: Reading, rng: random.Random) -> str:
    """Short forms inside compounds: "kakskymmentäviis" for "kaksikymmentäviisi", now and then."""
    if reading.colloquial and rng.random() < reading.colloquial:
        for full, short in COLLOQUIAL.items():
            word = word.replace(full, short)
    return word


def cardinal(n: int, reading: Reading | None = None, rng: random.Random | None = None) -> str:
    """A cardinal numeral in the nominative, 0 ≤ n < 1,000,000 ("tuhat kaksisataa kolmekymmentäneljä")."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"cardinal out of range: {n}")
    joined = reading.joined if reading else True
    sep = "" if joined else " "
    thousands, rest = divmod(n, 1000)
    parts: list[str] = []
    if thousands:
        parts.append("tuhat" if thousands == 1 else _below_thousand(thousands, "") + "tuhatta")
    if rest or not thousands:
        parts.append(_below_thousand(rest, sep))
    word = sep.join(parts)
    if reading and rng:
        word = _colloquial_parts(word, reading, rng)
    return word


def _below_thousand(n: int, sep: str) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append("sata" if hundreds == 1 else DIGITS[hundreds] + "sataa")
    if rest or not hundreds:
        parts.append(_below_hundred(rest))
    return sep.join(parts)


def _below_hundred(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    if n == 10:
        return "kymmenen"
    if n < 20:
        return DIGITS[n - 10] + "toista"
    tens, units = divmod(n, 10)
    return DIGITS[tens] + "kymmentä" + (DIGITS[units] if units else "")


def read_digits(digits: str, reading: Reading, rng: random.Random, mode: str | None = None) -> list[str]:
    """The words for one group of digits ("040", "1234") in the line's reading mode."""
    mode = mode or reading.mode
    if mode == "digits" or len(digits) == 1:
        return [digit_word(d, reading, rng) for d in digits]
    if mode == "groups" and digits[0] != "0" and len(digits) <= 4:
        if len(digits) == 4 and rng.random() < 0.6:  # "4567" is usually read "neljäkymmentäviisi kuusikymmentä…"
            return read_digits(digits, reading, rng, "pairs")
        return [cardinal(int(digits), reading, rng)]
    if mode == "groups" and digits.startswith("0") and len(digits) == 3 and rng.random() < 0.3:
        return [digit_word("0", reading, rng), cardinal(int(digits[1:]), reading, rng)]  # "nolla neljäkymmentä"
    return _read_pairs(digits, reading, rng)


def _read_pairs(digits: str, reading: Reading, rng: random.Random) -> list[str]:
    words: list[str] = []
    if len(digits) % 2:  # an odd group starts with one digit alone: "123" -> "yksi kaksikymmentäkolme"
        words.append(digit_word(digits[0], reading, rng))
        digits = digits[1:]
    for i in range(0, len(digits), 2):
        pair = digits[i:i + 2]
        if pair[0] == "0":
            words += [digit_word("0", reading, rng), digit_word(pair[1], reading, rng)]
        else:
            words.append(cardinal(int(pair), reading, rng))
    return words


def read_groups(groups: list[str], reading: Reading, rng: random.Random) -> str:
    """Several written digit groups ("040", "123", "4567") read one after another, commas per the reading."""
    said = [" ".join(read_digits(g, reading, rng)) for g in groups if g]
    return (", " if reading.commas else " ").join(said)


def letter_name(ch: str, rng: random.Random) -> str:
    low = ch.lower()
    if low in LETTER_VARIANTS:
        return rng.choice(LETTER_VARIANTS[low])
    return LETTERS[low]


def spell(text: str, reading: Reading, rng: random.Random) -> str:
    """Every character said alone: letters by name, digits as words, '-' as "viiva"."""
    words = []
    for ch in text:
        if ch.isdigit():
            words.append(digit_word(ch, reading, rng))
        elif ch.isalpha():
            words.append(letter_name(ch, rng))
        elif ch in SYMBOLS:
            words.append(SYMBOLS[ch])
    return " ".join(words)


# Ordinals for dates: "12.3." is read "kahdestoista kolmatta" (day in the nominative, month in the partitive).
_ORD_NOM = ("ensimmäinen", "toinen", "kolmas", "neljäs", "viides", "kuudes", "seitsemäs", "kahdeksas",
            "yhdeksäs", "kymmenes", "yhdestoista", "kahdestoista", "kolmastoista", "neljästoista", "viidestoista",
            "kuudestoista", "seitsemästoista", "kahdeksastoista", "yhdeksästoista", "kahdeskymmenes")
_ORD_PAR = ("ensimmäistä", "toista", "kolmatta", "neljättä", "viidettä", "kuudetta", "seitsemättä",
            "kahdeksatta", "yhdeksättä", "kymmenettä", "yhdettätoista", "kahdettatoista")
MONTHS_PAR = ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta",
              "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta")


def ordinal_day(day: int) -> str:
    """1..31 in the nominative ("kahdeskymmenesensimmäinen" is said "kahdeskymmenesyksi" too; we keep the
    standard form)."""
    if day <= 20:
        return _ORD_NOM[day - 1]
    tens, units = divmod(day, 10)
    head = "kahdeskymmenes" if tens == 2 else "kolmaskymmenes"
    return head + (_ORD_NOM[units - 1] if units else "")


def ordinal_month_partitive(month: int) -> str:
    return _ORD_PAR[month - 1]
