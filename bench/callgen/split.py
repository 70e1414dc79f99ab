"""Which split a name, street, city or template belongs to: a stable hash, the same for every seed.

The detector is fitted on ``train`` and reported on ``dev``, so ``dev`` must hold nothing the fitting could
have seen: no first name, surname, street stem, city or template of ``train``. Each value is assigned by the
SHA-256 of its case-folded text (30 % to dev), not by the random generator, so a value keeps its split when
the seed, the sizes or the order of drawing change. Values that already appear in the hand-written corpora
and tests the product was tuned on (``tests/data/*corpus_fi.txt``, ``dev_audio_clips.tsv``,
``tests/redaction``) are forced into ``train``: dev is unseen by the hand tuning as well.

Templates are partitioned within each group (one identifier type, or clean lines) by ranking their hashes, so
every group has phrasings on both sides however few it holds.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import TypeVar

SPLITS = ("train", "dev")
DEV_SHARE = 0.30
_SALT = "puheturva-callgen-v1"

# Names, street stems and places the product's rules were written against (see the module docstring).
SEEN_IN_TUNING = frozenset(w.casefold() for w in (
    "Pekka", "Tiina", "Marja", "Ville", "Esko", "Olli", "Anne", "Heikki", "Jukka", "Maija", "Kalle", "Sanna",
    "Mikko", "Antti", "Saku", "Selma", "Matti",
    "Nieminen", "Laine", "Leinonen", "Hakala", "Rantanen", "Heikkinen", "Virtanen", "Lehtonen", "Laaksonen",
    "Mäkinen", "Korhonen", "Kron",
    "Asema", "Kauppa", "Puisto", "Ranta", "Hämeen", "Koivu", "Mannerheimin",
    "Salo", "Perniö", "Tampere", "Oulu", "Helsinki", "Espoo",
))


def stable_fraction(value: str) -> float:
    """A number in [0, 1) fixed by the text alone (case-insensitive)."""
    digest = hashlib.sha256(f"{_SALT}:{value.casefold().strip()}".encode()).hexdigest()
    return int(digest[:12], 16) / float(1 << 48)


def split_of(value: str) -> str:
    """The split a name, street stem or city belongs to."""
    if value.casefold().strip() in SEEN_IN_TUNING:
        return "train"
    return "dev" if stable_fraction(value) < DEV_SHARE else "train"


def in_split(value: str, split: str) -> bool:
    return split_of(value) == split


T = TypeVar("T")


def partition(items: Sequence[T], key: str, split: str, name: str = "") -> list[T]:
    """The share of ``items`` that belongs to ``split``: the ``DEV_SHARE`` with the lowest hashes of
    ``getattr(item, key)`` go to dev (at least one), the rest to train (at least one when there are two)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (expected one of {SPLITS})")
    ranked = sorted(items, key=lambda it: stable_fraction(f"{name}:{getattr(it, key)}"))
    n_dev = max(1, math.floor(len(ranked) * DEV_SHARE + 0.5))
    if len(ranked) >= 2:
        n_dev = min(n_dev, len(ranked) - 1)
    return ranked[:n_dev] if split == "dev" else ranked[n_dev:]
