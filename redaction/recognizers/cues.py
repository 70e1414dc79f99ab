"""Cue phrases that announce a personal identifier ("henkilötunnukseni on", "nimeni on", "sähköposti").

A cue is what lets us redact a spoken number even when its checksum fails or the ASR garbled it: what
follows "tilinumero" is an account number whatever Whisper made of it. Cues are matched fuzzily over one to
three joined words, because the ASR garbles and splits cues too ("henkilö tunnukseni", "Sillin umet" for
"tilinumero", "Saku posti" for "sähköposti"). Short cues must match exactly: a four-letter fuzzy match is
just another word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from redaction.numbers import classify_word
from redaction.spoken import Token, fold, similarity
from redaction.types import NameLexicon

CueKind = Literal["number", "person", "email", "address"]


@dataclass(frozen=True)
class Cue:
    """One cue: what it announces and the surface forms it takes (inflections, possessive suffixes)."""

    canonical: str  # shown in explanations; a dictionary word, never personal data
    kind: CueKind
    type: str | None  # entity type it implies; None: decide by the identifier's shape
    forms: tuple[str, ...]


@dataclass(frozen=True)
class CueMatch:
    cue: Cue
    start: int  # original offsets of the cue words
    end: int
    first: int  # token indices (inclusive)
    last: int
    score: float


def _forms(*stems_and_forms: str) -> tuple[str, ...]:
    return tuple(f.replace(" ", "").replace("-", "") for f in stems_and_forms)


_NUMERO = ("numero", "numeroni", "numeroon", "numerosta", "numeroa", "numeron", "numerolla", "numerosi")

CUES: tuple[Cue, ...] = (
    Cue("henkilötunnus", "number", "HETU", _forms(
        "henkilötunnus", "henkilötunnukseni", "henkilötunnuksen", "henkilötunnuksesi", "henkilötunnusta",
        "henkilötunnuksella", "hetu", "hetuni", "hetun", "hetua", "hetusi", "sotu", "sotuni",
        "sosiaaliturvatunnus", "sosiaaliturvatunnukseni")),
    Cue("puhelinnumero", "number", "PHONE", _forms(
        *("puhelin" + f for f in _NUMERO), *("kännykkä" + f for f in _NUMERO), "puhelin", "puhelimeen",
        "puhelimeni", "kännykkä", "kännykkäni",
        "kännyni", "kotinumero", "kotinumeroni", "työnumero", "työnumeroni", "gsm", "liittymänumero",
        "liittymänumeroni", "takaisinsoittonumero", "soita", "soittakaa", "soitatte", "soittaisitteko",
        "soittaisitte", "soitto", "soitto numeroon", "tavoittaa", "tavoitat", "tavoitatte")),
    Cue("numero", "number", None, _forms(*_NUMERO, "tunnus", "tunnukseni", "tunnuksen", "tunnuksesi")),
    Cue("tilinumero", "number", "IBAN", _forms(
        *("tili" + f for f in _NUMERO), "tilin numero", "tilille", "tililtä", "tilini", "tili", "iban",
        "ibanini", "pankkitili", "pankkitilini", "pankkitilille")),
    Cue("korttinumero", "number", "CARD", _forms(
        *("kortti" + f for f in _NUMERO), *("kortin" + f for f in _NUMERO), "luottokortti", "luottokortin",
        "luottokorttini", "pankkikortti", "pankkikortin", "pankkikorttini", "kortti", "kortin", "korttini")),
    Cue("asiakasnumero", "number", "CUSTOMER_NUMBER", _forms(
        *("asiakas" + f for f in _NUMERO), "asiakastunnus", "asiakastunnukseni", "asiakastunnuksen",
        "sopimusnumero", "sopimusnumeroni", "tilausnumero", "tilausnumeroni", "viitenumero", "viitenumeron",
        "laskun numero", "laskunumero", "jäsennumero", "jäsennumeroni")),
    Cue("y-tunnus", "number", "YTUNNUS", _forms(
        "y-tunnus", "ytunnus", "y-tunnukseni", "y-tunnuksen", "y-tunnusta", "yritystunnus", "yritystunnuksen",
        "toiminimi", "toiminimen", "toiminimeni", "toiminimellä", "yritys", "yritykseni", "yrityksen",
        "yrityksemme", "firma", "firman", "firmani")),
    Cue("nimi", "person", None, _forms(
        "nimeni on", "nimi on", "nimi", "nimeni", "nimellä", "nimelle", "nimissä", "nimiin", "nimeen",
        "etunimi", "etunimeni", "etunimi on", "etunimensä", "sukunimi", "sukunimeni", "sukunimi on", "sukunimensä",
        "perhe", "perheen", "perheellä", "perheelle", "perheeltä", "perheessä", "täällä soittaa",
        "täällä on", "täällä puhuu", "puhun", "soittelen", "soitan", "tilaaja on", "tilaaja", "olen", "oon",
        "minä olen", "mä oon", "liittymän omistaja", "omistaja on", "haluan puhua", "yhteyshenkilö",
        "yhteyshenkilönä", "herra", "rouva", "neiti", "vaimoni", "mieheni", "poikani", "tyttäreni", "äitini",
        "isäni", "puolisoni")),
    Cue("sähköposti", "email", "EMAIL", _forms(
        "sähköposti", "sähköpostini", "sähköpostiin", "sähköpostiosoite", "sähköpostiosoitteeni",
        "sähköpostiosoitteeseen", "sähköpostiosoitteesi", "sähköpostisi", "meili", "meiliosoite", "meiliin",
        "email", "e-mail", "s-posti", "s-postiosoite", "spostiosoite")),
    Cue("osoite", "address", "ADDRESS", _forms(
        "osoite", "osoitteen", "osoitteeni", "osoitteessa", "osoitteeseen", "osoitteesta", "osoitteesi", "asun",
        "asumme",
        "asuu", "asuvat", "katuosoite", "katuosoitteeni", "postiosoite", "laskutusosoite", "toimitusosoite",
        "muutan", "muutin", "muutimme", "muutamme", "postinumero")),
)

# Words that may stand between a cue and what it announces ("numeroni on siis nolla …").
FILLERS = frozenset({
    "on", "oli", "olis", "olisi", "ois", "o", "siis", "eli", "niin", "tota", "toota", "öö", "ää", "no", "se",
    "mun", "minun", "mulla", "sitten", "nyt", "ihan", "vielä", "kyllä", "joo", "että", "ja",
})


def _threshold(length: int) -> float | None:
    """Similarity a joined form of this many letters needs; None: exact match only."""
    if length <= 5:
        return None
    if length <= 8:
        return 0.85
    return 0.7


_ALL_FORMS: tuple[tuple[str, Cue], ...] = tuple((fold(f), c) for c in CUES for f in c.forms)
_EXACT: dict[str, Cue] = {}
for _form, _cue in _ALL_FORMS:
    _EXACT.setdefault(_form, _cue)
_BIGRAMS: dict[str, list[int]] = {}
for _k, (_form, _) in enumerate(_ALL_FORMS):
    for _bg in {_form[j:j + 2] for j in range(len(_form) - 1)}:
        _BIGRAMS.setdefault(_bg, []).append(_k)


def _candidates(folded: str) -> list[int]:
    """Forms sharing enough letter pairs with ``folded`` to possibly reach the threshold (a cheap
    pre-filter)."""
    shared: dict[int, int] = {}
    for bg in {folded[j:j + 2] for j in range(len(folded) - 1)}:
        for k in _BIGRAMS.get(bg, ()):
            shared[k] = shared.get(k, 0) + 1
    return [k for k, n in shared.items() if n >= 0.3 * (len(_ALL_FORMS[k][0]) - 1)]


@lru_cache(maxsize=32768)
def match_cue(joined: str) -> tuple[Cue, float] | None:
    """The cue whose form best matches ``joined`` (words run together), with the similarity."""
    folded = fold(joined)
    best: tuple[Cue, float] | None = None
    if folded in _EXACT:
        return _EXACT[folded], 1.0
    limit = _threshold(len(folded))
    if limit is None:
        return None
    for k in _candidates(folded):
        form, cue = _ALL_FORMS[k]
        need = max(limit, _threshold(len(form)) or 1.01)
        n, m = len(folded), len(form)
        if 2 * min(n, m) / (n + m) < need:
            continue
        s = similarity(folded, form)
        if s >= need and (best is None or s > best[1]):
            best = (cue, s)
    return best


# A cue the ASR split into real words ("Saku posti" for "sähköposti") still matches when the joined words are
# this close to a form; a single real word never passes for a garbled cue.
SPLIT_CUE_SIMILARITY = 0.8


def _compound_of(folded: str, cue: Cue) -> bool:
    """A compound ending in one of the cue's forms ("asennusosoite", "kotinumeroni") is that cue, and so is
    an inflection the list lacks that shares all but the ending with a form ("osoitteeksi" ~ "osoitteesi")."""
    return any(len(f) >= 5 and (folded.endswith(fold(f)) or _common_prefix(folded, fold(f)) >= max(5, len(f) - 4))
               for f in cue.forms)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _common_word(lexicon: NameLexicon, word: str) -> bool:
    """Known to the lexicon as a word or a place ("Tampereelle" is not a garbled "perheelle"); a word known
    only as a person's name may be a garble ("Saku posti" for "sähköposti")."""
    classes = lexicon.classes(word)
    return bool(classes) and not (classes <= {"etunimi", "sukunimi", "paikannimi", "nimi"}
                                  and classes & {"etunimi", "sukunimi"})


def _numberish(word: str) -> bool:
    reading = classify_word(word)
    return reading is not None and reading.kind in ("digit", "number") and reading.certainty != "guess"


def find_cues(text: str, tokens: list[Token], lexicon: NameLexicon | None = None) -> list[CueMatch]:
    """Non-overlapping cue matches in text order; the most similar candidate wins where candidates overlap.

    With a lexicon, a fuzzy match needs a word the dictionary does not know (or knows only as a name):
    "Sillin umet" is a garbled "tilinumero", but "liittymässä" is a correct word that merely resembles
    "liittymän omistaja", and a correct word is what it says.
    """
    candidates: list[CueMatch] = []
    for i in range(len(tokens)):
        for n in (1, 2, 3):
            group = tokens[i:i + n]
            if len(group) < n:
                break
            if any(text[a.end:b.start] not in (" ", "-", "- ") for a, b in pairwise(group)):
                break
            # A cue never swallows the number it announces ("Sillin umet nolla" must not join "nolla").
            if any(_numberish(t.text) for t in group):
                break
            found = match_cue("".join(t.text for t in group))
            joined = fold("".join(t.text for t in group))
            if found is not None and found[1] < 1.0 and lexicon is not None and all(
                    _common_word(lexicon, t.text) for t in group) and not _compound_of(joined, found[0]) \
                    and (len(group) == 1 or found[1] < SPLIT_CUE_SIMILARITY):
                found = None
            if found is not None:
                candidates.append(CueMatch(found[0], group[0].start, group[-1].end, group[0].index,
                                           group[-1].index, found[1]))
    taken: set[int] = set()
    chosen: list[CueMatch] = []
    # Exact beats fuzzy; among equals the longer, more specific one ("henkilö tunnukseni" over "tunnukseni").
    for m in sorted(candidates, key=lambda m: (-m.score, -(m.last - m.first), m.first)):
        span = set(range(m.first, m.last + 1))
        if not span & taken:
            taken |= span
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.first)
