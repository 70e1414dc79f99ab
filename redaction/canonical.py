"""The written form of a detected identifier, for the keyed subject index.

A span's raw text may be spoken words ("nolla neljä nolla …", "tiina piste laine ät gmail piste com"). A
subject looked up by their written phone number must meet the call where they said it aloud, so the index
stores the written form. ``canonical_value`` returns it, or None when the words do not read as a valid
identifier of that kind (an ASR-garbled HETU is redacted, but indexing a wrong identity would be worse than
not indexing it).
"""

from __future__ import annotations

from redaction.numbers import normalise
from redaction.recognizers import card, hetu, iban, ytunnus
from redaction.recognizers.email import AT_WORDS, DOT_WORDS
from redaction.recognizers.email import is_valid as email_is_valid
from redaction.recognizers.shape import is_phone
from redaction.spoken import tokenize

_KINDS = {"PHONE": "phone", "HETU": "hetu", "EMAIL": "email", "IBAN": "iban", "CARD": "card",
          "YTUNNUS": "ytunnus", "CUSTOMER_NUMBER": "customer_number"}
_EMAIL_WORDS = {**dict.fromkeys(AT_WORDS, "@"), **dict.fromkeys(DOT_WORDS, "."), "viiva": "-",
                "alaviiva": "_", "väliviiva": "-", "tavuviiva": "-"}


def canonical_value(kind: str, value: str) -> str | None:
    """Written, compact form of ``value`` as identifier ``kind`` (entity type "PHONE" or index kind "phone").

    Never raises on odd input and never echoes it in an error: None means "cannot be read as that kind".
    """
    kind = _KINDS.get(kind, kind).lower()
    if kind == "email":
        return _email(value)
    written = "".join(normalise(value, after_cues=[0]).text.split())
    if kind == "phone":
        digits = "".join(c for c in written if c.isdigit() or c == "+")
        return digits if digits and is_phone(digits) else None
    if kind == "hetu":
        return hetu.compact(written) if hetu.PATTERN.fullmatch(hetu.compact(written)) else None
    if kind == "iban":
        return iban.compact(written) if iban.is_valid(written) else None
    if kind == "card":
        return card.compact(written) if card.is_valid(written) else None
    if kind == "ytunnus":
        return ytunnus.compact(written) if ytunnus.is_valid(written) else None
    if kind == "customer_number":
        compact = "".join(c for c in written if c.isalnum()).upper()
        return compact or None
    return None


def _email(value: str) -> str | None:
    text = value.strip()
    if email_is_valid(text):
        return "".join(text.split()).lower()
    parts = [_EMAIL_WORDS.get(t.lower, t.lower) for t in tokenize(text)]
    candidate = "".join(parts)
    return candidate if email_is_valid(candidate) else None
