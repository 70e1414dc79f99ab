"""Phone numbers, by libphonenumber's matcher with region FI and leniency VALID.

VALID (not POSSIBLE) is what keeps HETU, IBAN and Y-tunnus digits from matching (FINDINGS.md). Spoken
numbers reach this recognizer already closed up by the normaliser ("nolla neljä nolla …" -> "040…"); written
numbers split into single digits ("0 4 0 1 2 …") are found by the matcher itself.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from redaction.recognizers.base import PatternRecognizer
from redaction.recognizers.shape import is_phone
from redaction.types import Explanation, Span

REGION = "FI"
SCORE = 0.9


def compact(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def validate(number: str) -> str:
    """Return the number in E.164 or raise ``ValueError`` (message without digits)."""
    try:
        parsed = phonenumbers.parse(compact(number), REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_valid(number: str) -> bool:
    return is_phone(compact(number))


class PhoneRecognizer(PatternRecognizer):
    name = "phone"
    entities = ("PHONE",)

    def find(self, text: str) -> list[Span]:
        return [Span("PHONE", m.start, m.end, SCORE, self.name,
                     Explanation(self.name, "libphonenumber FI VALID", SCORE, validation=True))
                for m in PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID)]
