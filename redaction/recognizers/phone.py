"""Phone numbers, by libphonenumber's matcher with region FI and leniency VALID.

VALID (not POSSIBLE) is what keeps HETU, IBAN and Y-tunnus digits from matching (FINDINGS.md). Spoken
numbers reach this recognizer already closed up by the normaliser ("nolla neljä nolla …" -> "040…"); written
numbers split into single digits ("0 4 0 1 2 …") are found by the matcher itself.

Two strengths of "a phone number" live here, side by side so that they cannot drift apart unseen:
``is_phone`` (valid per libphonenumber's metadata) decides what the detector calls a phone number; the
subject index spells what an officer or the telephony metadata gives with ``e164`` after only
``is_possible`` (a lookup must not refuse a number from a range newer than the metadata).
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from redaction.recognizers.base import PatternRecognizer
from redaction.types import Explanation, Span

REGION = "FI"
SCORE = 0.9


def compact(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def parse(number: str) -> phonenumbers.PhoneNumber | None:
    """``number`` parsed with region FI as given (spaces, dashes, ``+CC``); None when it does not parse."""
    try:
        return phonenumbers.parse(number, REGION)
    except phonenumbers.NumberParseException:
        return None


def is_possible(parsed: phonenumbers.PhoneNumber) -> bool:
    """Of a possible length for its country: the lenient test of the subject index."""
    return phonenumbers.is_possible_number(parsed)


def e164(parsed: phonenumbers.PhoneNumber) -> str:
    """``+358401234567``: one spelling for "040 123 4567", "+358 40 123 45 67", …"""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_phone(value: str) -> bool:
    """A valid Finnish (or +CC international) number per libphonenumber's metadata."""
    parsed = parse(value)
    return parsed is not None and phonenumbers.is_valid_number(parsed)


def validate(number: str) -> str:
    """Return the number in E.164 or raise ``ValueError`` (message without digits)."""
    parsed = parse(compact(number))
    if parsed is None:
        raise ValueError("not a phone number")
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return e164(parsed)


def is_valid(number: str) -> bool:
    return is_phone(compact(number))


class PhoneRecognizer(PatternRecognizer):
    name = "phone"
    entities = ("PHONE",)

    def find(self, text: str) -> list[Span]:
        return [Span("PHONE", m.start, m.end, SCORE, self.name,
                     Explanation(self.name, "libphonenumber FI VALID", SCORE, validation=True))
                for m in PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID)]
