"""Non-identifier slots of call lines: prices, dates, times, speeds, counts, durations, models, places,
operators, authorities and companies, each in the three renderings.

These are what a detector must leave alone. They are full of numbers ("49,90 euroa", "kahdestoista
kolmatta", "1000 Mbit/s") and capitalised names (Maanmittauslaitoksen, Telialta, Tampereella, Nuutinen Oyj)
that look like identifiers to a careless rule. A bare place name is not an identifier in this product (only a
street address is an ADDRESS), so "Tampereella on vika" is a clean line.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.callgen.inflect import AUTHORITIES, OPERATORS, PLACES
from bench.callgen.numerals import (
    MONTHS_PAR,
    Reading,
    cardinal,
    ordinal_day,
    ordinal_month_partitive,
)
from bench.callgen.pools import Pools
from bench.callgen.speech import lower_text

COMPANIES = ("Posti", "Fortum", "Kesko", "S-ryhmä", "Nordea", "OP", "Finnair", "VR", "Valio", "Alma Media",
             "Sanoma", "Veikkaus", "LähiTapiola", "Helen", "Caruna", "Kotipizza", "Verkkokauppa.com", "Gigantti",
             "Tokmanni", "Motonet", "Stockmann", "Kone Oyj", "Wärtsilä", "Attendo", "Terveystalo", "Mehiläinen")


@dataclass(frozen=True)
class Filler:
    """One slot's text in each rendering."""

    written: str
    lower: str
    spoken: str


def same(text: str) -> Filler:
    """Words that read the same in every rendering (only case and punctuation change)."""
    low = lower_text(text)
    return Filler(text, low, low)


class FillerMaker:
    """Draws clean-slot fillers for one line."""

    def __init__(self, pools: Pools, rng: random.Random, reading: Reading) -> None:
        self.pools = pools
        self.rng = rng
        self.reading = reading

    def make(self, name: str, form: str = "") -> Filler:
        maker: Callable[..., Filler] = getattr(self, name)
        return maker(form) if form else maker()

    def _num(self, n: int) -> str:
        return cardinal(n, self.reading, self.rng)

    def price(self) -> Filler:
        euros = self.rng.choice((self.rng.randint(2, 99), self.rng.randint(2, 400)))
        cents = self.rng.choice((0, 90, 50, 95, self.rng.randint(1, 99)))
        unit = self.rng.choice(("euroa", "euroa", "€"))
        written = f"{euros},{cents:02d} {unit}" if cents else f"{euros} {unit}"
        said = f"{self._num(euros)} euroa"
        if cents:
            said += self.rng.choice((f" {self._num(cents)} senttiä", f" ja {self._num(cents)} senttiä",
                                     f" {self._num(cents)}"))
        return Filler(written, written.lower(), said)

    def date(self) -> Filler:
        day, month = self.rng.randint(1, 28), self.rng.randint(1, 12)
        year = self.rng.choice((None, 2024, 2025, 2026))
        written = f"{day}.{month}." + (str(year) if year else "")
        said = f"{ordinal_day(day)} {ordinal_month_partitive(month)}"
        if year:
            said += f" {self._num(year)}"
        return Filler(written, written, said)

    def date_words(self) -> Filler:
        day, month = self.rng.randint(1, 28), self.rng.randint(1, 12)
        return same(f"{ordinal_day(day)} {MONTHS_PAR[month - 1]}")

    def weekday(self) -> Filler:
        return same(self.rng.choice(("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina",
                                     "lauantaina", "sunnuntaina", "eilen", "toissapäivänä", "viime viikolla")))

    def time(self) -> Filler:
        hour, minute = self.rng.randint(7, 20), self.rng.choice((0, 0, 15, 30, 45))
        if self.rng.random() < 0.3:  # already in words: "kello kaksi", "puoli kolme"
            small = hour % 12 or 12
            return same(self.rng.choice((f"kello {cardinal(small)}", f"puoli {cardinal(small % 12 + 1)}")))
        word = self.rng.choice(("kello", "klo", "kello"))
        written = f"{word} {hour}" + (f".{minute:02d}" if minute else "")
        said = f"kello {self._num(hour)}" + (f" {self._num(minute)}" if minute else "")
        return Filler(written, written, said)

    def speed(self) -> Filler:
        n = self.rng.choice((10, 50, 100, 200, 300, 500, 600, 1000))
        unit, said_unit = self.rng.choice((("megaa", "megaa"), ("Mbit/s", "megabittiä sekunnissa"),
                                           ("M", "megaa"), ("megan", "megan")))
        if n == 1000 and self.rng.random() < 0.3:
            return Filler("1 giga", "1 giga", "yksi giga")
        written = f"{n} {unit}" if unit != "M" else f"{n}M"
        return Filler(written, written.lower(), f"{self._num(n)} {said_unit}")

    def data(self) -> Filler:
        n = self.rng.choice((5, 10, 20, 50, 100, 300))
        return Filler(f"{n} gigaa", f"{n} gigaa", f"{self._num(n)} gigaa")

    def count(self) -> Filler:
        n = self.rng.randint(2, 12)
        written = str(n) if self.rng.random() < 0.4 else cardinal(n)
        return Filler(written, written, self._num(n))

    def number(self) -> Filler:
        n = self.rng.choice((self.rng.randint(13, 99), self.rng.randint(100, 900)))
        return Filler(str(n), str(n), self._num(n))

    def percent(self) -> Filler:
        n = self.rng.choice((5, 10, 15, 20, 25, 30, 50))
        written = self.rng.choice((f"{n} %", f"{n} prosenttia"))
        return Filler(written, written, f"{self._num(n)} prosenttia")

    def year(self) -> Filler:
        n = self.rng.randint(2005, 2025)
        return Filler(str(n), str(n), self._num(n))

    def duration(self) -> Filler:
        n = self.rng.randint(2, 45)
        unit = self.rng.choice(("minuuttia", "tuntia", "päivää", "viikkoa", "sekuntia"))
        if self.rng.random() < 0.25:
            return same(self.rng.choice(("puoli tuntia", "pari päivää", "koko viikon", "vartin", "yhden päivän")))
        written = f"{n} {unit}" if self.rng.random() < 0.5 else f"{cardinal(n)} {unit}"
        return Filler(written, written, f"{self._num(n)} {unit}")

    def months(self) -> Filler:
        n, said = self.rng.choice(((6, "kuuden"), (12, "kahdentoista"), (24, "kahdenkymmenenneljän"),
                                   (36, "kolmenkymmenenkuuden")))
        return Filler(f"{n} kuukauden", f"{n} kuukauden", f"{said} kuukauden")

    def model(self) -> Filler:
        written, said = self.rng.choice((
            ("Huawei B535", "huawei bee viisisataakolmekymmentäviisi"), ("ZTE MF286D", "zte äm äf kaksisataa"
             "kahdeksankymmentäkuusi dee"), ("Nokia FastMile 5G", "nokia fastmile viis gee"),
            ("TP-Link Archer C6", "tp-link archer see kuusi"), ("Zyxel NR7101", "zyxel än är seitsemän yksi "
             "nolla yksi"), ("Inteno EG400", "inteno ee gee neljäsataa"), ("5G-reititin", "viis gee reititin"),
            ("Technicolor TG789", "technicolor tee gee seitsemän kahdeksan yhdeksän"),
            ("iPhone 13", "iphone kolmetoista"), ("Samsung Galaxy S23", "samsung galaxy äs kaksikymmentäkolme"),
        ))
        return Filler(written, written.lower(), said)

    def version(self) -> Filler:
        a, b, c = self.rng.randint(1, 9), self.rng.randint(0, 20), self.rng.randint(0, 9)
        return Filler(f"{a}.{b}.{c}", f"{a}.{b}.{c}",
                      f"{self._num(a)} piste {self._num(b)} piste {self._num(c)}")

    def channel(self) -> Filler:
        n = self.rng.randint(1, 9)
        return Filler(str(n), str(n), self._num(n))

    def place(self, form: str = "nom") -> Filler:
        name = self.pools.place()
        loc, frm, to = PLACES[name]
        return same({"nom": name, "loc": loc, "from": frm, "to": to}[form])

    def operator(self, form: str = "nom") -> Filler:
        name = self.rng.choice(sorted(OPERATORS))
        return same(name if form == "nom" else OPERATORS[name][form])

    def authority(self, form: str = "nom") -> Filler:
        name = self.rng.choice(sorted(AUTHORITIES))
        return same(name if form == "nom" else AUTHORITIES[name][form])

    def company(self) -> Filler:
        """Half Faker's companies (all named after surnames in fi_FI: "Heikkilä Pohjola Oy"), half real
        businesses callers name, so clean lines hold both kinds."""
        if self.rng.random() < 0.5:
            return same(self.pools.company())
        return same(self.rng.choice(COMPANIES))
