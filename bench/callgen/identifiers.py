"""Identifier values and the way they are written in a typed transcript, each one valid where a check exists.

Every number is checked before it is used: henkilötunnus and Y-tunnus with ``stdnum.fi``, IBAN with
``stdnum.iban``, card numbers with ``stdnum.luhn``, phone numbers with ``phonenumbers`` (region FI), so the
gold is real and a checksum recognizer is not punished for rejecting a malformed "identifier". Sources are
mixed on purpose: Faker's fi_FI values (phone numbers, IBAN, card numbers, Y-tunnus, first names, surnames,
streets, cities, e-mail domains) and numbers computed here to cover what Faker does not (the 2023 century signs
of henkilötunnus, foreign IBANs, issuers and phone formats people actually write). Faker's ``ssn()`` is not
used: it draws birth dates relative to today, so the corpus would change from day to day.

An :class:`Identifier` carries the canonical ``value`` (what ``GoldSpan.value`` reports) and the ``written``
surface; the ``lower`` and ``spoken`` renderings are derived from ``written`` in ``bench.callgen.speech``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import ClassVar

import phonenumbers
from faker import Faker
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.fi import hetu as std_hetu
from stdnum.fi import ytunnus as std_ytunnus

from bench.callgen.inflect import inflect_name, inflect_street
from bench.callgen.pools import Pools

TYPES = ("HETU", "PHONE", "EMAIL", "IBAN", "CARD", "YTUNNUS", "CUSTOMER_NUMBER", "PERSON", "ADDRESS")
MAX_TRIES = 200


@dataclass(frozen=True)
class Identifier:
    """One identifier as drawn: its type, canonical value and written surface (maybe inflected)."""

    type: str
    value: str
    written: str


class InvalidIdentifier(ValueError):
    """A generated value failed its own validation (a bug in the generator, never silently kept)."""


class IdentifierMaker:
    """Draws identifiers for one split from one random generator and one seeded Faker."""

    def __init__(self, pools: Pools, fake: Faker, rng: random.Random) -> None:
        self.pools = pools
        self.fake = fake
        self.rng = rng

    # ----------------------------------------------------------------------------------------- people

    def person_names(self) -> tuple[str, str]:
        return self.pools.first_name(), self.pools.surname()

    def person(self, form: str = "full:nom",
               names: tuple[str, str] | None = None) -> tuple[Identifier, tuple[str, str]]:
        """A name and the (first name, surname) it came from. ``form`` = "<full|first|surname>:<case>".

        Only the surname of a full name inflects ("Pekka Virtasen"); when the given or drawn name cannot be
        inflected with confidence, another name is drawn (a wrong form would be wrong gold)."""
        kind, _, case = form.partition(":")
        case = case or "nom"
        for _ in range(MAX_TRIES):
            first, last = names or self.person_names()
            names = None
            if kind == "first":
                surface, value = inflect_name(first, case), first
            elif kind == "surname":
                surface, value = inflect_name(last, case), last
            else:
                tail = inflect_name(last, case)
                surface, value = (f"{first} {tail}" if tail else None), f"{first} {last}"
            if surface:
                return Identifier("PERSON", value, surface), (first, last)
        raise InvalidIdentifier(f"no inflectable name for {form}")

    # ----------------------------------------------------------------------------------------- address

    def address(self, form: str = "any") -> Identifier:
        """Street addresses: "Asemakatu 5", "Asemakatu 5 B 12", "…, 24100 Salo", "asun Puistotiellä 8".

        ``form``: any | full (with postcode and city) | street (no postcode) | ade / all (inflected street,
        number, maybe staircase and flat) | bare_ade / bare_all (an inflected street alone, after a cue)."""
        street = self.pools.street()
        case = form.removeprefix("bare_") if form in ("ade", "all", "bare_ade", "bare_all") else "nom"
        surface_street = inflect_street(street, case)
        if form.startswith("bare_"):
            return Identifier("ADDRESS", street, surface_street)
        house = str(self.rng.choice((self.rng.randint(1, 40), self.rng.randint(1, 40), self.rng.randint(1, 199))))
        if self.rng.random() < 0.06:
            house += self.rng.choice("ab")
        detail = ""
        r = self.rng.random()
        if r < 0.35:
            detail = f" {self.rng.choice('ABCDEF')} {self.rng.randint(1, 60)}"
        elif r < 0.45:
            detail = f" {self.rng.choice('ABCD')}"
        elif r < 0.55:
            detail = f" as. {self.rng.randint(1, 40)}"
        post = ""
        if form == "full" or (form == "any" and self.rng.random() < 0.45):
            post = f", {self.fake.postcode()} {self.pools.city()}"
        value = f"{street} {house}{detail}{post}"
        return Identifier("ADDRESS", value, f"{surface_street} {house}{detail}{post}")

    # ----------------------------------------------------------------------------------------- phone

    MOBILE: ClassVar[tuple[str, ...]] = ("040", "041", "044", "045", "046", "050")
    AREA: ClassVar[tuple[str, ...]] = ("02", "03", "05", "06", "08", "09", "09", "09", "013", "014", "015",
                                       "016", "017", "019")

    def phone(self, form: str = "any") -> Identifier:
        """A valid Finnish number in a format people write. ``form``: any | mobile | land."""
        kind = form if form != "any" else self.rng.choices(("mobile", "land", "faker"), weights=(6, 2, 2))[0]
        for _ in range(MAX_TRIES):
            if kind == "faker":
                written = self.fake.phone_number()
            elif kind == "mobile":
                written = self._format_mobile(self.rng.choice(self.MOBILE),
                                              "".join(self.rng.choices("0123456789", k=7)))
            else:
                area = self.rng.choice(self.AREA)
                n = self.rng.randint(6, 7) if area != "09" else self.rng.randint(6, 8)
                written = self._format_land(area, str(self.rng.randint(2, 9))
                                            + "".join(self.rng.choices("0123456789", k=n - 1)))
            value = phone_value(written)
            if value:
                return Identifier("PHONE", value, written)
        raise InvalidIdentifier("no valid phone number drawn")

    def _format_mobile(self, prefix: str, sub: str) -> str:
        intl = "+358 " + prefix[1:]
        return self.rng.choice((
            f"{prefix} {sub[:3]} {sub[3:]}", f"{prefix} {sub[:3]} {sub[3:]}", f"{prefix} {sub}",
            f"{prefix}{sub}", f"{prefix}-{sub[:3]} {sub[3:]}", f"{prefix} {sub[:3]} {sub[3:5]} {sub[5:]}",
            f"{prefix}-{sub}", f"{intl} {sub[:3]} {sub[3:]}", f"+358{prefix[1:]}{sub}", f"{intl} {sub}",
        ))

    def _format_land(self, area: str, sub: str) -> str:
        cut = len(sub) - 3 if len(sub) > 6 else 3
        return self.rng.choice((
            f"{area} {sub[:cut]} {sub[cut:]}", f"{area} {sub}", f"({area}) {sub[:cut]} {sub[cut:]}",
            f"{area}-{sub}", f"{area}{sub}", f"+358 {area[1:]} {sub[:cut]} {sub[cut:]}",
        ))

    # ----------------------------------------------------------------------------------------- e-mail

    DOMAINS: ClassVar[tuple[str, ...]] = (
        "gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "luukku.com", "suomi24.fi",
        "elisanet.fi", "kolumbus.fi", "saunalahti.fi", "live.fi", "hotmail.fi", "outlook.fi", "netti.fi",
        "example.fi", "example.com",
    )

    def email(self, names: tuple[str, str] | None = None) -> Identifier:
        """A personal address built from a name of the split ("pekka.nieminen@gmail.com")."""
        first, last = names or self.person_names()
        f, s = ascii_fold(first), ascii_fold(last)
        num = str(self.rng.choice((self.rng.randint(1, 99), self.rng.randint(1950, 2010))))
        local = self.rng.choice((
            f"{f}.{s}", f"{f}.{s}", f"{f}{s}", f"{f[0]}.{s}", f"{f}.{s}{num}", f"{s}.{f}", f"{f}_{s}",
            f"{f}{num}", f"{s}{f[0]}", f"{f}.{s[0]}",
        ))
        domain = self.rng.choice(self.DOMAINS) if self.rng.random() < 0.6 else self.fake.free_email_domain()
        written = f"{local}@{domain}"
        if not EMAIL_SHAPE.fullmatch(written):
            raise InvalidIdentifier("generated e-mail address has the wrong shape")
        return Identifier("EMAIL", written, written)

    # ----------------------------------------------------------------------------------------- numbers

    HETU_SIGNS: ClassVar[dict[int, tuple[str, ...]]] = {
        18: ("+",), 19: ("-",) * 8 + ("Y", "X", "W", "V", "U"), 20: ("A",) * 8 + ("B", "C", "D", "E", "F")}

    def hetu(self) -> Identifier:
        """A valid henkilötunnus, century signs of 2023 included (Y X W V U for the 1900s, B–F for 2000s)."""
        century = self.rng.choices((18, 19, 20), weights=(1, 70, 29))[0]
        year = century * 100 + (self.rng.randint(70, 99) if century == 18 else
                                self.rng.randint(0, 25) if century == 20 else self.rng.randint(20, 99))
        born = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        ddmmyy = born.strftime("%d%m") + f"{year % 100:02d}"
        individual = f"{self.rng.randint(2, 899):03d}"
        check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(ddmmyy + individual) % 31]
        written = f"{ddmmyy}{self.rng.choice(self.HETU_SIGNS[century])}{individual}{check}"
        return Identifier("HETU", validated(std_hetu.validate, written), written)

    FI_BANKS: ClassVar[tuple[str, ...]] = ("1", "2", "31", "33", "34", "36", "37", "38", "39", "4", "5", "6", "8")
    FOREIGN_IBAN: ClassVar[dict[str, int]] = {"SE": 20, "DE": 18, "EE": 16, "DK": 14, "NL": 0, "FR": 0}

    def iban(self, form: str = "any") -> Identifier:
        """A valid IBAN: Finnish (own or Faker's), or foreign with ``form`` "foreign" (Swedish, German,
        Estonian, …) or a country code ("se")."""
        foreign = form != "any" or self.rng.random() < 0.1
        for _ in range(MAX_TRIES):
            if foreign:
                compact = self._foreign_iban(form.upper() if len(form) == 2 else None)
            elif self.rng.random() < 0.3:
                compact = self.fake.iban()
            else:
                bank = self.rng.choice(self.FI_BANKS)
                body = bank + "".join(self.rng.choices("0123456789", k=13 - len(bank)))
                compact = with_iban_check("FI", body + luhn.calc_check_digit(body))
            if std_iban.is_valid(compact):
                grouped = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
                return Identifier("IBAN", compact, grouped if self.rng.random() < 0.6 else compact)
        raise InvalidIdentifier("no valid IBAN drawn")

    def _foreign_iban(self, country: str | None = None) -> str:
        country = country or self.rng.choice(("SE", "SE", "DE", "EE", "DK", "NL", "FR"))
        if country == "NL":  # bank code letters: NL91 ABNA 0417 1643 00
            body = self.rng.choice(("ABNA", "INGB", "RABO")) + "".join(self.rng.choices("0123456789", k=10))
        elif country == "FR":
            body = "".join(self.rng.choices("0123456789", k=23))
        else:
            body = "".join(self.rng.choices("0123456789", k=self.FOREIGN_IBAN[country]))
        return with_iban_check(country, body)

    ISSUERS: ClassVar[dict[str, tuple[tuple[str, ...], int]]] = {  # prefix choices and lengths
        "visa": (("4",), 16), "mastercard": (("51", "52", "53", "54", "55", "2221", "2720"), 16),
        "amex": (("34", "37"), 15), "diners": (("36", "38"), 14), "discover": (("6011", "65"), 16),
        "jcb": (("3528", "3550", "3589"), 16), "maestro": (("6759", "5018", "6304"), 18),
    }

    def card(self, form: str = "any") -> Identifier:
        """A Luhn-valid card number of one of several issuers, grouped as printed on the card."""
        issuer = form if form != "any" else self.rng.choices(
            ("visa", "mastercard", "amex", "diners", "discover", "jcb", "maestro", "faker"),
            weights=(8, 6, 2, 1, 1, 1, 1, 3))[0]
        if issuer == "faker":
            digits = self.fake.credit_card_number()
        else:
            prefixes, length = self.ISSUERS[issuer]
            body = self.rng.choice(prefixes)
            body += "".join(self.rng.choices("0123456789", k=length - 1 - len(body)))
            digits = body + luhn.calc_check_digit(body)
        validated(luhn.validate, digits)
        if len(digits) == 15 or len(digits) == 14:
            groups = [digits[:4], digits[4:10], digits[10:]]
        else:
            groups = [digits[i:i + 4] for i in range(0, len(digits), 4)]
        sep = self.rng.choices((" ", "", "-"), weights=(6, 3, 1))[0]
        return Identifier("CARD", digits, sep.join(groups))

    def ytunnus(self) -> Identifier:
        """A valid Y-tunnus ("1234567-8"), Faker's or computed here."""
        if self.rng.random() < 0.4:
            written = self.fake.company_business_id()
        else:
            while True:
                body = "".join(self.rng.choices("0123456789", k=7))
                rest = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
                if rest != 1:
                    break
            written = f"{body}-{0 if rest == 0 else 11 - rest}"
        return Identifier("YTUNNUS", std_ytunnus.format(validated(std_ytunnus.validate, written)), written)

    def customer_number(self) -> Identifier:
        """An operator's customer or contract number: 6–10 digits, or letters and digits ("AS-1234567").

        Numbers that are also valid phone numbers in Finland (phonenumbers accepts "987654321") are drawn
        again, so the gold type is unambiguous."""
        for _ in range(MAX_TRIES):
            digits = str(self.rng.randint(1, 9)) + "".join(self.rng.choices("0123456789",
                                                                             k=self.rng.randint(5, 9)))
            style = self.rng.choices(("digits", "prefixed", "letter", "split"), weights=(6, 2, 1, 1))[0]
            if style == "prefixed":
                written = f"{self.rng.choice(('AS', 'SOP', 'AN', 'KN'))}-{digits[:7]}"
            elif style == "letter":
                written = self.rng.choice("AKSTE") + digits[:7]
            elif style == "split" and len(digits) >= 8:
                written = f"{digits[:4]}-{digits[4:8]}"
            else:
                written = digits
            if not phone_value(re.sub(r"\D", "", written)) and not std_hetu.is_valid(written):
                return Identifier("CUSTOMER_NUMBER", written, written)
        raise InvalidIdentifier("no customer number drawn")


EMAIL_SHAPE = re.compile(r"[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)+")


def ascii_fold(name: str) -> str:
    """What people put in e-mail addresses: lower case, ä -> a, ö -> o, å -> a, é -> e."""
    table = str.maketrans("äöåéü", "aoaeu")
    return name.lower().translate(table)


def phone_value(written: str) -> str | None:
    """The national form ("0401234567") of a valid Finnish number, else None."""
    try:
        number = phonenumbers.parse(written, "FI")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 358 or not phonenumbers.is_valid_number(number):
        return None
    return "0" + phonenumbers.national_significant_number(number)


def with_iban_check(country: str, bban: str) -> str:
    return country + std_iban.calc_check_digits(country + "00" + bban) + bban


def validated(validate, written: str) -> str:
    try:
        return validate(written)
    except ValueError as exc:
        raise InvalidIdentifier(f"generated value failed validation: {type(exc).__name__}") from exc
