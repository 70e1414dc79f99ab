"""Is a detected identifier still heard? Pure checks of a re-transcribed window against what was detected.

After the audio is redacted, what could still be heard sits next to the tone: a digit the word timestamps
put outside the range, the rest of a number the detector cut short. Re-transcribing the window and running
the detector again finds identifiers it recognises on their own; these checks find *echoes* of the ones
already detected, which the detector may not recognise without their context:

- a number (its written form has digits): 4 or more of its consecutive digits are recoverable from the
  window, read through ``redaction.normalise`` and also digit by digit, word by word. The digits compared
  are the span's written form and those of the whole spoken number run the span sits in: when the
  detector cut a number short, the rest of it is what is still heard;
- a name, address or e-mail: a window word of 4 or more letters with a difflib ratio of at least 0.75 to a
  word of the detected span.

A ``Target`` holds the detected values in memory only; its repr hides them, nothing here logs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from redaction import Span, canonical_value, normalise
from redaction.audio import TimedWord
from redaction.numbers import classify_word
from redaction.spoken import tokenize

MIN_DIGITS = 4
MIN_WORD_LEN = 4
WORD_RATIO = 0.75
WORD_TYPES = frozenset({"PERSON", "ADDRESS", "EMAIL"})
# Spoken e-mail punctuation says nothing about whose address it was.
CONNECTOR_WORDS = frozenset({"piste", "pisteen", "miukumauku", "viiva", "alaviiva", "väliviiva", "tavuviiva",
                             "pilkku"})
_DIGIT_GAP = re.compile(r"[\s,.\-–]*")  # what may sit between two digits of one spoken number
_WRITTEN_NUMBER = re.compile(r"[\d\-–.,+]+")
_EDGE_PUNCT = ".,;:!?\"'()[]«»…-–"


@dataclass(frozen=True)
class Target:
    """One detected identifier as the echo checks need it. Values stay in memory: the repr hides them."""

    type: str
    digits: tuple[str, ...] = field(default=(), repr=False)  # digit strings to find 4+ consecutive of
    words: tuple[str, ...] = field(default=(), repr=False)  # name-like words, lower case


def target_of(entity_type: str, raw: str, around: Sequence[str] = ()) -> Target:
    """The digits of ``raw``'s written form (canonical when it validates), of the number runs ``around`` it,
    and its name-like words."""
    written = canonical_value(entity_type, raw) or normalise(raw, after_cues=[0]).text
    candidates = ["".join(c for c in d if c.isdigit()) for d in (written, *around)]
    digits = tuple(dict.fromkeys(d for d in candidates if len(d) >= MIN_DIGITS))
    words: tuple[str, ...] = ()
    if entity_type in WORD_TYPES:
        words = tuple(t.lower for t in tokenize(raw) if name_like(t.lower))
    return Target(entity_type, digits, words)


def targets_in(text: str, spans: Sequence[Span]) -> list[Target]:
    """A target for each span detected in ``text`` (one turn), with the spoken number runs it overlaps."""
    runs = normalise(text).runs if spans else ()
    return [target_of(sp.type, text[sp.start:sp.end], [r.value for r in runs if r.start < sp.end and sp.start < r.end])
            for sp in spans]


def echo_hits(text: str, words: Sequence[TimedWord], targets: Sequence[Target]
              ) -> list[tuple[str, tuple[TimedWord, ...]]]:
    """``(type, words)`` for each target some words of the window still say; words in text order."""
    readings = digit_readings(text, words) if any(t.digits for t in targets) else []
    hits = []
    for target in targets:
        found = set()
        for digits, owners in readings:
            for reference in target.digits:
                found |= digit_echo(digits, owners, reference)
        found |= word_echo(words, target.words)
        if found:
            hits.append((target.type, tuple(words[i] for i in sorted(found))))
    return hits


def digit_readings(text: str, words: Sequence[TimedWord]) -> list[tuple[str, list[tuple[int, ...]]]]:
    """Digit strings the window can be read as, each digit with the indices of the words it came from."""
    return _normalised_reading(text, words) + _word_by_word_reading(words)


def digit_echo(digits: str, owners: Sequence[tuple[int, ...]], reference: str) -> set[int]:
    """Indices of the words behind every run of ``MIN_DIGITS``+ digits of ``digits`` found in ``reference``."""
    found: set[int] = set()
    if len(reference) < MIN_DIGITS:
        return found
    for i in range(len(digits) - MIN_DIGITS + 1):
        if digits[i:i + MIN_DIGITS] in reference:
            for owner in owners[i:i + MIN_DIGITS]:
                found.update(owner)
    return found


def word_echo(words: Sequence[TimedWord], reference: Sequence[str]) -> set[int]:
    """Indices of window words very similar to a word of ``reference`` (both at least 4 letters)."""
    if not reference:
        return set()
    found = set()
    for i, w in enumerate(words):
        token = bare(w.text).lower()
        if len(token) >= MIN_WORD_LEN and any(
                SequenceMatcher(None, token, ref).ratio() >= WORD_RATIO for ref in reference):
            found.add(i)
    return found


def name_like(word: str) -> bool:
    """A word that could carry a name or address: 4+ letters, not a number word or spoken punctuation."""
    word = bare(word).lower()
    return len(word) >= MIN_WORD_LEN and word.isalpha() and word not in CONNECTOR_WORDS and not _is_number(word)


def _is_number(word: str) -> bool:
    reading = classify_word(word)
    return reading is not None and reading.kind in ("digit", "number")


def bare(token: str) -> str:
    """``token`` without the punctuation ASR attaches to it ("nolla," → "nolla")."""
    return token.strip(_EDGE_PUNCT)


def _word_at(words: Sequence[TimedWord], start: int, end: int) -> tuple[int, ...]:
    return tuple(i for i, w in enumerate(words) if w.char_start < end and start < w.char_end)


def _normalised_reading(text: str, words: Sequence[TimedWord]) -> list[tuple[str, list[tuple[int, ...]]]]:
    """Digits of ``normalise(text).text``; a run goes on across spaces, commas and dashes between digits."""
    norm = normalise(text)
    out: list[tuple[str, list[tuple[int, ...]]]] = []
    digits, owners, last = "", [], None
    for i, ch in enumerate(norm.text):
        if not ch.isdigit():
            continue
        if last is not None and not _DIGIT_GAP.fullmatch(norm.text[last + 1:i]):
            out.append((digits, owners))
            digits, owners = "", []
        digits += ch
        owners.append(_word_at(words, *norm.to_original(i, i + 1)))
        last = i
    if digits:
        out.append((digits, owners))
    return out


def _word_by_word_reading(words: Sequence[TimedWord]) -> list[tuple[str, list[tuple[int, ...]]]]:
    """Each word read alone as a digit or number ("kusi" 6, "kaksitoista" 12, "040"); other words break."""
    out: list[tuple[str, list[tuple[int, ...]]]] = []
    digits, owners = "", list[tuple[int, ...]]()
    for i, w in enumerate(words):
        value = word_digits(w.text)
        if value is None:
            if digits:
                out.append((digits, owners))
            digits, owners = "", []
            continue
        digits += value
        owners.extend([(i,)] * len(value))
    if digits:
        out.append((digits, owners))
    return out


def word_digits(token: str) -> str | None:
    """The digits one word says on its own, or None: "kusi" → "6", "kaksitoista" → "12", "040," → "040"."""
    token = bare(token)
    if _WRITTEN_NUMBER.fullmatch(token) and any(c.isdigit() for c in token):
        return "".join(c for c in token if c.isdigit())
    reading = classify_word(token) if token else None
    if reading is None or reading.kind not in ("digit", "number") or not reading.text.isdigit():
        return None
    return reading.text
