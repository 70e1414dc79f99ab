"""Type a bare identifier by its shape: which library validator accepts it.

Used where a cue says "a number follows" without saying which ("numero", "tunnus"), and for long spoken
digit runs with no cue at all. Only checksummed or library-validated forms are typed; everything else stays
generic.
"""

from __future__ import annotations

import phonenumbers
from stdnum import iban, luhn

from redaction.recognizers import card, hetu, ytunnus

CHECKSUMMED = ("HETU", "IBAN", "CARD")


def identify(value: str, *, checksummed_only: bool = False) -> str | None:
    """Entity type whose validator accepts ``value`` (spaces ignored), or None.

    Checksummed types are tried first; PHONE last and optionally not at all, because many short digit
    strings are valid phone numbers somewhere in Finland's numbering plan.
    """
    for typ in CHECKSUMMED if checksummed_only else (*CHECKSUMMED, "PHONE"):
        if validates(typ, value):
            return typ
    return None


def validates(typ: str, value: str) -> bool:
    """Whether the library validator of entity type ``typ`` accepts ``value``."""
    compact = "".join(value.split()).upper()
    if not compact:
        return False
    if typ == "HETU":
        return hetu.is_valid(compact)
    if typ == "IBAN":
        return compact[:2].isalpha() and iban.is_valid(compact)
    if typ == "CARD":
        return compact.isdigit() and card.is_valid(compact)
    if typ == "PHONE":
        return compact.lstrip("+").isdigit() and is_phone(compact)
    if typ == "YTUNNUS":
        return ytunnus.is_valid(compact)
    return False


def is_phone(value: str) -> bool:
    """A valid Finnish (or +CC international) number per libphonenumber's metadata."""
    try:
        parsed = phonenumbers.parse(value, "FI")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def luhn_ok(digits: str) -> bool:
    return digits.isdigit() and luhn.is_valid(digits)
