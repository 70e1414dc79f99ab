"""Finnish first names from a name dictionary nobody here wrote, to complete Voikko's.

Voikko knows many first names but not all, and files some only as places or words: "Inkeri" is a place,
"Mari" a place, "Armas" an adjective. A caller's name the lexicon does not know as a name is a name the
detector cannot see in lower-case ASR text. Jörg Michael's name dictionary (``nam_dict.txt``, shipped in the
``gender-guesser`` package, GFDL) lists about 950 first names in use in Finland; it is read once, and only
the Finland column is used.

The list adds a first-name reading to a word; it removes none. "Kari" stays a reef as well, so everything
that decides between a name and a word (the surname after it, the cue before it) still decides.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

COUNTRY = "Finland"
# Case endings tried on a word the lexicon does not know at all ("jesselle" -> jesse), longest first.
ENDINGS = ("lle", "lta", "ltä", "lla", "llä", "sta", "stä", "ssa", "ssä", "ksi", "na", "nä", "ta", "tä", "n",
           "a", "ä")


@lru_cache(maxsize=1)
def load_first_names() -> frozenset[str]:
    """Lower-case first names used in Finland; empty (with one warning) when the dictionary is missing."""
    try:
        text = resources.files("gender_guesser").joinpath("data", "nam_dict.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        log.warning("first-name dictionary unavailable (%s); fewer names will be recognised", type(exc).__name__)
        return frozenset()
    return parse(text.splitlines())


def parse(lines: list[str]) -> frozenset[str]:
    """Names with any frequency mark in the Finland column of ``nam_dict.txt``.

    The file's header draws each country's column with a "|" under its name; entries are
    ``<gender> <name padded to column 30> <one frequency character per country>``.
    """
    header = next(i for i, line in enumerate(lines) if line.startswith("#") and COUNTRY in line)
    column = lines[header + 1].index("|")
    names = set()
    for line in lines:
        if line.startswith("#") or len(line) <= column or not line[column].strip():
            continue
        name = line[3:29].strip()
        if name and " " not in name and "+" not in name:
            names.add(name.lower())
    return frozenset(names)


def stems(word: str) -> list[str]:
    """``word`` and what is left of it without one case ending ("Jesselle" -> jesselle, jesse)."""
    lw = word.lower()
    return [lw, *(lw[: -len(e)] for e in ENDINGS if lw.endswith(e) and len(lw) - len(e) >= 3)]
