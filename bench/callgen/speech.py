"""The ``lower`` and ``spoken`` renderings of an identifier's written surface, and of plain template text.

``lower`` is what an ASR that writes digits gives: lower case, sentence punctuation gone, digits kept
("040 123 4567", "asemakatu 5 b 12 24100 salo"). ``spoken`` is what Whisper writes for Finnish speech: every
digit and letter of the identifier said as a word ("nolla neljä nolla, satakaksikymmentäkolme, …", "aa äs
viiva …", "pekka piste nieminen ät gmail piste com"). Readings (digit by digit, pairs, compound numerals,
colloquial short forms, commas between groups) come from the line's :class:`~bench.callgen.numerals.Reading`.
"""

from __future__ import annotations

import random
import re

from bench.callgen.identifiers import Identifier
from bench.callgen.numerals import (
    SYMBOLS,
    Reading,
    cardinal,
    digit_word,
    letter_name,
    read_digits,
    read_groups,
    spell,
)

_SENTENCE_PUNCT = re.compile(r"[.,!?;:…]+(?=\s|$)|[\"“”()«»]|(?<=\s)[-–](?=\s)")


def lower_text(text: str) -> str:
    """Plain template text as an ASR writes it: lower case, no sentence punctuation (word-internal hyphens
    and colons stay: "kaapeli-tv", "dna:n")."""
    return _SENTENCE_PUNCT.sub("", text.lower())


def lower_identifier(ident: Identifier) -> str:
    text = ident.written.lower()
    if ident.type == "PHONE":
        return text.replace("(", "").replace(")", "")
    if ident.type == "ADDRESS":
        return text.replace(",", "").replace("as.", "as")
    return text


def spoken_identifier(ident: Identifier, reading: Reading, rng: random.Random) -> str:
    speak = _SPEAKERS[ident.type]
    return re.sub(r"\s+", " ", speak(ident.written, reading, rng)).strip()


# ------------------------------------------------------------------------------------------------ per type

def _person(written: str, reading: Reading, rng: random.Random) -> str:
    text = written.lower()
    return text.replace("-", " ") if rng.random() < 0.5 else text


def _hetu(written: str, reading: Reading, rng: random.Random) -> str:
    date, sign, individual, check = written[:6], written[6], written[7:10], written[10]
    words = read_digits(date, reading, rng, "digits" if reading.mode == "digits" else "pairs")
    if sign == "-":
        words.append("väliviiva" if rng.random() < 0.1 else "viiva")
    else:
        words.append(SYMBOLS.get(sign) or letter_name(sign, rng))
    if reading.mode == "groups" and individual[0] != "0":
        words.append(cardinal(int(individual), reading, rng))
    else:
        words += read_digits(individual, reading, rng, "digits")
    words.append(digit_word(check, reading, rng) if check.isdigit() else letter_name(check, rng))
    return " ".join(words)


def phone_groups(written: str) -> tuple[bool, list[str]]:
    """(starts with +358, the digit groups as a caller reads them). An unspaced number is cut where people
    pause: after the area/operator code, then in threes and fours."""
    text = written.replace("(", " ").replace(")", " ")
    intl = "+358" in text
    groups = re.findall(r"\d+", text.replace("+358", " ", 1))
    if len(groups) == 1 and len(groups[0]) > 5:
        number = groups[0]
        if intl:
            head = 2 if number[0] in "45" or number.startswith("1") else 1
        else:
            head = 3 if number[:2] in ("04", "05", "01") else 2
        rest = number[head:]
        cut = {5: 2, 6: 3, 7: 3, 8: 4}.get(len(rest), 3)
        groups = [number[:head], rest[:cut], rest[cut:]]
    return intl, [g for g in groups if g]


def _phone(written: str, reading: Reading, rng: random.Random) -> str:
    intl, groups = phone_groups(written)
    said = read_groups(groups, reading, rng)
    if intl:
        code = cardinal(358, reading, rng) if reading.mode == "groups" else spell("358", reading, rng)
        return f"plus {code} {said}"
    return said


_EMAIL_TOKEN = re.compile(r"[a-zåäö]+|\d+|[._@-]")


def _email(written: str, reading: Reading, rng: random.Random) -> str:
    words = []
    for tok in _EMAIL_TOKEN.findall(written.lower()):
        if tok == "@":
            words.append("miukumauku" if rng.random() < 0.08 else "ät")
        elif tok in SYMBOLS:
            words.append(SYMBOLS[tok])
        elif tok.isdigit():
            words += read_digits(tok, reading, rng, "digits" if reading.mode == "digits" else "groups")
        elif len(tok) == 1:
            words.append(letter_name(tok, rng))
        else:
            words.append(tok)
    return " ".join(words)


def _iban(written: str, reading: Reading, rng: random.Random) -> str:
    compact = written.replace(" ", "")
    words = [letter_name(c, rng) for c in compact[:2]]
    words += read_digits(compact[2:4], reading, rng, "digits" if reading.mode == "digits" else "pairs")
    rest = compact[4:]
    parts = []
    for i in range(0, len(rest), 4):
        chunk = rest[i:i + 4]
        if chunk.isdigit():
            parts.append(" ".join(read_digits(chunk, reading, rng)))
        else:
            parts.append(spell(chunk, reading, rng))
    return " ".join(words) + (", " if reading.commas else " ") + (", " if reading.commas else " ").join(parts)


def _card(written: str, reading: Reading, rng: random.Random) -> str:
    groups = re.findall(r"\d+", written)
    if len(groups) == 1:  # read from the card as printed: 4-6-5 (Amex), 4-6-4 (Diners), else fours
        d = groups[0]
        groups = [d[:4], d[4:10], d[10:]] if len(d) in (14, 15) else [d[i:i + 4] for i in range(0, len(d), 4)]
    return read_groups(groups, reading, rng)


def _ytunnus(written: str, reading: Reading, rng: random.Random) -> str:
    body, check = written.split("-")
    mode = reading.mode if reading.mode != "groups" else "pairs"
    return " ".join([*read_digits(body, reading, rng, mode), "viiva", digit_word(check, reading, rng)])


def _customer_number(written: str, reading: Reading, rng: random.Random) -> str:
    words = []
    for tok in re.findall(r"[A-Za-z]+|\d+|-", written):
        if tok == "-":
            words.append("viiva")
        elif tok.isdigit():
            chunks = [tok] if reading.mode == "digits" or len(tok) <= 4 else _chunks(tok, rng)
            words.append(read_groups(chunks, reading, rng))
        else:
            words += [letter_name(c, rng) for c in tok]
    return " ".join(words)


def _chunks(digits: str, rng: random.Random) -> list[str]:
    size = rng.choice((2, 3, 4))
    return [digits[i:i + size] for i in range(0, len(digits), size)]


_ADDRESS_TOKEN = re.compile(r"as\.|\d{5}|\d+[ab]?|[^\W\d]+(?:-[^\W\d]+)*|,")


def _address(written: str, reading: Reading, rng: random.Random) -> str:
    words = []
    seen_number = False
    for tok in _ADDRESS_TOKEN.findall(written):
        if tok == "as.":
            words.append("asunto")
        elif tok == ",":
            if rng.random() < 0.5:
                words[-1] += ","
        elif len(tok) == 5 and tok.isdigit():  # postcode: digit by digit, or the first pair as a number
            mode = "digits" if rng.random() < 0.7 else "pairs"
            words += read_digits(tok, reading, rng, "digits") if mode == "digits" else \
                read_digits(tok[:2], reading, rng, "pairs") + read_digits(tok[2:], reading, rng, "digits")
        elif tok[0].isdigit():
            number = tok.rstrip("ab")
            words.append(cardinal(int(number), reading, rng))
            if tok[-1] in "ab":
                words.append(letter_name(tok[-1], rng))
            seen_number = True
        elif len(tok) == 1 and seen_number:  # the staircase letter
            words.append(letter_name(tok, rng))
        else:
            words.append(tok.lower())
    return " ".join(words)


_SPEAKERS = {
    "PERSON": _person, "HETU": _hetu, "PHONE": _phone, "EMAIL": _email, "IBAN": _iban, "CARD": _card,
    "YTUNNUS": _ytunnus, "CUSTOMER_NUMBER": _customer_number, "ADDRESS": _address,
}
