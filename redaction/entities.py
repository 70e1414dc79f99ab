"""The one table of identifier types: what each is called, how it ranks, how it is validated and written.

Every module that needs to know something per type reads it here: the analyzer (priority, number types), the
operators (labels, number types), the recognizers that type a bare number by its shape (``identify``,
``validates``), the written form stored for the subject index (``canonical_value``) and the index's own
spelling of an identifier (``normalise_for_index``). Adding an identifier type is its recognizer module, its
test and one row of ``SPECS``.

The row's functions come from the recognizer modules (this module imports them, never the other way round).
Three strengths of "valid" are kept apart on purpose, each where the existing callers rely on it:

- ``validate``: the library validator accepts the bare value (stdnum checksums, libphonenumber's *valid*
  numbers). The detector types a number by it, so it must be strict: many digit strings are possible phones.
- ``canonical``: the written, compact form of what was *said* ("nolla neljä nolla …" -> "040…"), or None when
  the words do not read as that type. A HETU needs its shape here, not its checksum.
- ``normalise``: the subject index's spelling of what an officer types or the telephony metadata carries:
  lenient (a *possible* phone number, a HETU's shape with its century sign kept, an IBAN's shape), raising
  ``InvalidIdentifier`` whose message names the kind, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from redaction.numbers import normalise
from redaction.recognizers import card, email, hetu, iban, phone, ytunnus
from redaction.spoken import tokenize


class EntityType(StrEnum):
    """The personal-identifier types a span can have (``Span.type``); the order is the order shown to people."""

    HETU = "HETU"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    IBAN = "IBAN"
    CARD = "CARD"
    YTUNNUS = "YTUNNUS"
    CUSTOMER_NUMBER = "CUSTOMER_NUMBER"
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"
    NUMBER = "NUMBER"


class IndexKind(StrEnum):
    """Identifier kinds of the keyed subject index (``service.privacy.subject_index``), in the order forms offer
    them."""

    PHONE = "phone"
    HETU = "hetu"
    EMAIL = "email"
    IBAN = "iban"
    CUSTOMER_NUMBER = "customer_number"


class InvalidIdentifier(ValueError):
    """The value cannot be normalised as that kind (the message names the kind, never the value)."""


@dataclass(frozen=True)
class IdentifierSpec:
    """Everything the code knows about one identifier type.

    ``label``: the Finnish placeholder (``[PUHELIN]``). ``priority``: who wins an overlap at equal score
    (checksummed identifiers over generic numbers over names). ``is_number``: compared by letters and digits
    only (pseudonyms, keyed hashes) and announced by a generic "numero" cue. ``checksummed``: a validator
    vouches for a bare number of this type without a cue. ``index_kind``: the subject-index kind it is
    indexed under, if any. ``validate`` / ``canonical`` / ``normalise``: see the module docstring.
    ``example``: a made-up value, written as a person would say or type it, that ``canonical`` and
    ``normalise`` accept (the table's completeness test reads it).
    """

    type: EntityType
    label: str
    priority: int
    is_number: bool = False
    checksummed: bool = False
    index_kind: IndexKind | None = None
    validate: Callable[[str], bool] | None = None  # given a blank-free upper-case value
    canonical: Callable[[str], str | None] | None = None
    normalise: Callable[[str], str] | None = None
    example: str | None = None


# -- the written form of spoken words ("canonical") ---------------------------------------------------------

_EMAIL_WORDS = {**dict.fromkeys(email.AT_WORDS, "@"), **dict.fromkeys(email.DOT_WORDS, "."), "viiva": "-",
                "alaviiva": "_", "väliviiva": "-", "tavuviiva": "-"}


def _written(value: str) -> str:
    """Number words read as digits ("nolla neljä nolla" -> "040"), blanks dropped."""
    return "".join(normalise(value, after_cues=[0]).text.split())


def _written_phone(value: str) -> str | None:
    digits = phone.compact(_written(value))
    return digits if digits and phone.is_phone(digits) else None


def _written_hetu(value: str) -> str | None:
    code = hetu.compact(_written(value))
    return code if hetu.has_shape(code) else None


def _written_checked(compact: Callable[[str], str], is_valid: Callable[[str], bool]) -> Callable[[str], str | None]:
    def written(value: str) -> str | None:
        text = _written(value)
        return compact(text) if is_valid(text) else None
    return written


def _written_customer_number(value: str) -> str | None:
    return "".join(c for c in _written(value) if c.isalnum()).upper() or None


def _written_email(value: str) -> str | None:
    text = value.strip()
    if email.is_valid(text):
        return "".join(text.split()).lower()
    candidate = "".join(_EMAIL_WORDS.get(t.lower, t.lower) for t in tokenize(text))
    return candidate if email.is_valid(candidate) else None


# -- the subject index's spelling ("normalise") -------------------------------------------------------------

_BLANKS = re.compile(r"\s+")


def _index_phone(value: str) -> str:
    parsed = phone.parse(value)
    if parsed is None:
        raise InvalidIdentifier("not a phone number")
    if not phone.is_possible(parsed):
        raise InvalidIdentifier("not a possible phone number")
    return phone.e164(parsed)


def _index_hetu(value: str) -> str:
    # The century sign is kept as written: "131052-308T" and "131052A308T" are different identities.
    code = hetu.compact(value)
    if not hetu.has_shape(code):
        raise InvalidIdentifier("not a henkilötunnus")
    return code


def _index_email(value: str) -> str:
    v = value.strip().lower()
    if v.count("@") != 1 or v.startswith("@") or v.endswith("@") or _BLANKS.search(v):
        raise InvalidIdentifier("not an email address")
    return v


def _index_iban(value: str) -> str:
    compacted = iban.index_form(value)
    if compacted is None:
        raise InvalidIdentifier("not an IBAN")
    return compacted


def _index_customer_number(value: str) -> str:
    v = re.sub(r"[\s-]+", "", value).upper()
    if not v or not v.isalnum():
        raise InvalidIdentifier("not a customer number")
    return v


# -- the table ----------------------------------------------------------------------------------------------

_ROWS = (
    IdentifierSpec(EntityType.HETU, "HETU", 9, is_number=True, checksummed=True, index_kind=IndexKind.HETU,
                   validate=hetu.is_valid, canonical=_written_hetu, normalise=_index_hetu,
                   example="131052-308T"),
    IdentifierSpec(EntityType.PHONE, "PUHELIN", 8, is_number=True, index_kind=IndexKind.PHONE,
                   validate=lambda v: v.lstrip("+").isdigit() and phone.is_phone(v),
                   canonical=_written_phone, normalise=_index_phone, example="040 765 1234"),
    IdentifierSpec(EntityType.EMAIL, "SÄHKÖPOSTI", 8, index_kind=IndexKind.EMAIL, canonical=_written_email,
                   normalise=_index_email, example="tiina.laine@example.fi"),
    IdentifierSpec(EntityType.IBAN, "TILINUMERO", 9, is_number=True, checksummed=True,
                   index_kind=IndexKind.IBAN, validate=lambda v: v[:2].isalpha() and iban.is_valid(v),
                   canonical=_written_checked(iban.compact, iban.is_valid), normalise=_index_iban,
                   example="FI21 1234 5600 0007 85"),
    IdentifierSpec(EntityType.CARD, "KORTTI", 9, is_number=True, checksummed=True,
                   validate=lambda v: v.isdigit() and card.is_valid(v),
                   canonical=_written_checked(card.compact, card.is_valid), example="4000 0000 0000 0002"),
    IdentifierSpec(EntityType.YTUNNUS, "Y-TUNNUS", 7, is_number=True, validate=ytunnus.is_valid,
                   canonical=_written_checked(ytunnus.compact, ytunnus.is_valid), example="0139471-8"),
    IdentifierSpec(EntityType.CUSTOMER_NUMBER, "ASIAKASNUMERO", 6, is_number=True,
                   index_kind=IndexKind.CUSTOMER_NUMBER, canonical=_written_customer_number,
                   normalise=_index_customer_number, example="AS-123 456"),
    IdentifierSpec(EntityType.PERSON, "HENKILÖ", 3),
    IdentifierSpec(EntityType.ADDRESS, "OSOITE", 5),
    IdentifierSpec(EntityType.NUMBER, "NUMERO", 4, is_number=True),
)
# Keyed and filled with plain ``str`` values: span types and index kinds travel into JSON and SQL as text.
SPECS: dict[str, IdentifierSpec] = {row.type.value: row for row in _ROWS}
NUMBER_TYPES = frozenset(t for t, s in SPECS.items() if s.is_number)
CHECKSUMMED = tuple(t for t, s in SPECS.items() if s.checksummed)  # HETU, IBAN, CARD
INDEX_KINDS = tuple(k.value for k in IndexKind)
BY_INDEX_KIND: dict[str, IdentifierSpec] = {s.index_kind.value: s for s in SPECS.values() if s.index_kind}
KIND_FOR_ENTITY: dict[str, str] = {t: s.index_kind.value for t, s in SPECS.items() if s.index_kind}


def spec(span_type: str) -> IdentifierSpec | None:
    """The row of ``span_type``; None for a type the table does not know."""
    return SPECS.get(span_type)


def label(span_type: str) -> str:
    """The Finnish placeholder label of an entity type; unknown types keep their own name."""
    row = spec(span_type)
    return row.label if row is not None else span_type


def priority(span_type: str) -> int:
    """Overlap rank at equal score; 0 for a type the table does not know."""
    row = spec(span_type)
    return row.priority if row is not None else 0


def validates(span_type: str, value: str) -> bool:
    """Whether the library validator of ``span_type`` accepts ``value`` (blanks ignored, any case)."""
    compact = "".join(value.split()).upper()
    row = spec(span_type)
    return bool(compact) and row is not None and row.validate is not None and row.validate(compact)


def identify(value: str, *, checksummed_only: bool = False) -> str | None:
    """Entity type whose validator accepts ``value`` (spaces ignored), or None.

    Used where a cue says "a number follows" without saying which ("numero", "tunnus"), and for long spoken
    digit runs with no cue at all. Checksummed types are tried first; PHONE last and optionally not at all,
    because many short digit strings are valid phone numbers somewhere in Finland's numbering plan.
    """
    for typ in CHECKSUMMED if checksummed_only else (*CHECKSUMMED, EntityType.PHONE.value):
        if validates(typ, value):
            return typ
    return None


def canonical_value(kind: str, value: str) -> str | None:
    """Written, compact form of ``value`` as identifier ``kind`` (entity type "PHONE" or index kind "phone").

    A span's raw text may be spoken words ("nolla neljä nolla …", "tiina piste laine ät gmail piste com"). A
    subject looked up by their written phone number must meet the call where they said it aloud, so the index
    stores the written form. None means "cannot be read as that kind" (an ASR-garbled HETU is redacted, but
    indexing a wrong identity would be worse than not indexing it). Never raises on odd input and never
    echoes it in an error.
    """
    row = spec(kind.upper())
    return row.canonical(value) if row is not None and row.canonical is not None else None


def normalise_for_index(kind: str, value: str) -> str:
    """The subject index's canonical spelling of an identifier of index ``kind`` (raises
    ``InvalidIdentifier``)."""
    row = BY_INDEX_KIND.get(kind)
    if row is None or row.normalise is None:
        raise InvalidIdentifier(f"unknown identifier kind {kind!r}")
    return row.normalise(value)
