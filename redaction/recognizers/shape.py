"""Type a bare identifier by its shape: which library validator accepts it.

Used where a cue says "a number follows" without saying which ("numero", "tunnus"), and for long spoken digit
runs with no cue at all. Only checksummed or library-validated forms are typed; everything else stays generic.
"""

from __future__ import annotations

import phonenumbers
from stdnum import iban, luhn

from redaction.recognizers import card, hetu


def identify(value: str) -> str | None:
    """Entity type whose validator accepts ``value`` (spaces ignored), or None."""
    compact = "".join(value.split()).upper()
    if not compact:
        return None
    if hetu.is_valid(compact):
        return "HETU"
    if compact[:2].isalpha() and iban.is_valid(compact):
        return "IBAN"
    if compact.isdigit() and card.is_valid(compact):
        return "CARD"
    if compact.lstrip("+").isdigit() and is_phone(compact):
        return "PHONE"
    return None


def is_phone(value: str) -> bool:
    """A valid Finnish (or +CC international) number per libphonenumber's metadata."""
    try:
        parsed = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def luhn_ok(digits: str) -> bool:
    return digits.isdigit() and luhn.is_valid(digits)
