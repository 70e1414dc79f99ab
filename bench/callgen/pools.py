"""Names, streets and places drawn from Faker's fi_FI data and kept to one split.

Faker draws as it always does (weighted first names, its surnames, street prefixes, municipalities); a value
whose hash (``split.split_of``) says the other split is drawn again. So train and dev never share a first
name, surname, street stem or city, and the frequencies inside each split stay Faker's.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from faker import Faker

from bench.callgen.inflect import PLACES
from bench.callgen.split import in_split

MAX_DRAWS = 10_000  # a pool with no value in the split is a bug, not bad luck


class Pools:
    """Split-restricted draws from one seeded Faker."""

    def __init__(self, split: str, fake: Faker, rng: random.Random) -> None:
        self.split = split
        self.fake = fake
        self.rng = rng

    def _draw(self, draw: Callable[[], str], key: Callable[[str], list[str]] = lambda v: v.split("-")) -> str:
        """Draw until every part of the value (the parts of "Anna-Liisa" too) belongs to the split."""
        for _ in range(MAX_DRAWS):
            value = draw()
            if all(in_split(part, self.split) for part in key(value)):
                return value
        raise RuntimeError(f"no value for split {self.split!r} from {draw}")

    def first_name(self) -> str:
        """A first name; both parts of a double name ("Anna-Liisa") belong to the split."""
        return self._draw(self.fake.first_name)

    def surname(self) -> str:
        """A surname; about one in twelve is a double surname ("Holm-Karjalainen"), both parts in the split."""
        first = self._draw(self.fake.last_name)
        if self.rng.random() < 0.08:
            second = self._draw(self.fake.last_name)
            if second != first:
                return f"{first}-{second}"
        return first

    def street_stem(self) -> str:
        """A street prefix ("Ahvenkosken", "Gunnel Nymanin "): the split is decided by the stem, so
        "Ahvenkoskentie" and "Ahvenkoskenkuja" always land together."""
        return self._draw(self.fake.street_prefix, key=lambda v: [v.strip()])

    def street(self) -> str:
        return self.street_stem() + self.fake.street_suffix()

    def city(self) -> str:
        return self._draw(self.fake.city, key=lambda v: [v])

    def place(self) -> str:
        """A town or region named as a place (not an address): from the list with irregular case forms."""
        return self._draw(lambda: self.rng.choice(sorted(PLACES)), key=lambda v: [v])

    def company(self) -> str:
        """A Faker company with a legal form ("Nuutinen Oyj"); bare surname companies and sole traders (Tmi,
        named after the person) are left out: those are names of people."""
        for _ in range(MAX_DRAWS):
            name = self.fake.company()
            if name.split()[-1] in ("Oy", "Oyj", "Ky", "ry", "Osk", "Ab"):
                return name
        raise RuntimeError("Faker gave no company with a legal form")
