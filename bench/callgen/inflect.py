"""Finnish case forms of names, streets and places, as callers use them ("Pekka Virtasen puolesta",
"asun Puistotiellä 8", "Tampereella on vika").

Surnames in -nen follow one rule (-sen, -selle, -sella, -selta, -sta). Other names are built from candidate
stems (with and without consonant gradation: Kokko -> Kokon, Lampi -> Lammen) and accepted only when Voikko
analyses the form back to the same name in the wanted case. A consonant-final name Voikko does not know is a
foreign one and takes -i- (Forsman -> Forsmanille). A name we cannot inflect with confidence gives ``None``,
and the generator draws another name rather than writing a wrong form. Streets take their forms from the
street type (katu -> kadulla). Places and authorities have irregular locatives, so they are listed.
"""

from __future__ import annotations

import functools

import libvoikko

# Our case labels and Voikko's SIJAMUOTO names.
CASES = {"gen": "omanto", "all": "ulkotulento", "abl": "ulkoeronto", "ade": "ulkoolento", "par": "osanto"}
_ENDINGS = {"gen": "n", "all": "lle", "abl": "lta", "ade": "lla", "par": "a"}
_NEN = {"gen": "sen", "all": "selle", "abl": "selta", "ade": "sella", "par": "sta"}
# Weak grades of a stem's last consonant cluster, longest first ("Kokko" -> "Koko", "Lahti" -> "Lahdi").
_GRADATION = (("kk", ("k",)), ("pp", ("p",)), ("tt", ("t",)), ("nk", ("ng",)), ("mp", ("mm",)),
              ("nt", ("nn",)), ("lt", ("ll",)), ("rt", ("rr",)), ("ht", ("hd",)), ("lk", ("lj", "l")),
              ("rk", ("rj", "r")), ("hk", ("h",)), ("k", ("", "v")), ("p", ("v",)), ("t", ("d",)))
_VOWELS = "aeiouyäö"


@functools.lru_cache(maxsize=1)
def voikko() -> libvoikko.Voikko:
    return libvoikko.Voikko("fi")


def harmonise(ending: str, word: str) -> str:
    """Front-vowel words take ä/ö endings: "Mäkelälle" but "Rantalalta" vs "Mäkelältä"."""
    back = any(c in "aou" for c in word.lower().rsplit("-", 1)[-1])
    return ending if back else ending.replace("a", "ä").replace("o", "ö").replace("u", "y")


@functools.cache
def _analyses(word: str) -> tuple[tuple[str, str], ...]:
    return tuple((a.get("BASEFORM", ""), a.get("SIJAMUOTO", "")) for a in voikko().analyze(word)
                 if a.get("NUMBER", "singular") == "singular")


def _verified(form: str, base: str, case: str) -> bool:
    return any(b.casefold() == base.casefold() and c == CASES[case] for b, c in _analyses(form))


def _candidates(word: str, case: str) -> list[str]:
    """Stems a name may take before the case ending, most likely first; Voikko decides which is right."""
    ending = harmonise(_ENDINGS[case], word)
    head = word[:-1] if word[-1] in _VOWELS else word
    tail = word[len(head):]
    weak = [head[:-len(strong)] + w + tail for strong, weaks in _GRADATION for w in weaks
            if head.endswith(strong) and head[:-len(strong)][-1:] in _VOWELS + "lrnmh"][:2]
    if word.endswith("i"):  # Lahti -> Lahden, Lampi -> Lammen, Mäki -> Mäen, but Antti -> Antin
        stems = [s[:-1] + "e" for s in weak] + [word[:-1] + "e", *weak, word]
    elif word.endswith("e"):  # Laine -> Laineen, Halme -> Halmeen, Kalle -> Kallen
        stems = [word, word + "e", *weak]
    elif word[-1] not in _VOWELS:  # Andersson -> Anderssonin, Varis -> Variksen, Helenius -> Heleniuksen
        stems = [word + "i"] + ([word[:-1] + "kse"] if word.endswith("s") else [])
    else:
        stems = [word, *weak]
    out = [s + ending for s in stems]
    if case == "par":  # Rantalaa, Ahoa, Lainetta, Holmia: Voikko decides which is right
        out += [word + harmonise(e, word) for e in ("a", "ta", "tta", "ia")]
    return out


@functools.cache
def inflect_name(name: str, case: str) -> str | None:
    """One first name or surname in ``case`` ("gen", "all", "abl", "ade", "par"), or None when unsure.

    A hyphenated surname inflects its last part only ("Holm-Karjalaiselle")."""
    if case == "nom":
        return name
    if "-" in name:
        head, last = name.rsplit("-", 1)
        tail = inflect_name(last, case)
        return f"{head}-{tail}" if tail else None
    if name.endswith("nen"):
        return name[:-3] + harmonise(_NEN[case], name)
    for form in _candidates(name, case):
        if _verified(form, name, case):
            return form
    if name[-1] not in _VOWELS and not _analyses(name):  # a foreign name Voikko does not know: Forsmanille
        return name + "i" + harmonise(_ENDINGS[case], name)
    return None


# Street types in Faker's fi_FI streets and their case forms (katu -> kadulla, polku -> polulle).
STREET_FORMS = {
    "katu": {"ade": "kadulla", "all": "kadulle", "gen": "kadun"},
    "tie": {"ade": "tiellä", "all": "tielle", "gen": "tien"},
    "polku": {"ade": "polulla", "all": "polulle", "gen": "polun"},
    "kuja": {"ade": "kujalla", "all": "kujalle", "gen": "kujan"},
    "bulevardi": {"ade": "bulevardilla", "all": "bulevardille", "gen": "bulevardin"},
}


def inflect_street(street: str, case: str) -> str:
    if case == "nom":
        return street
    for kind, forms in STREET_FORMS.items():
        if street.endswith(kind):
            return street[:-len(kind)] + forms[case]
    raise ValueError(f"no street type in {street!r}")


# Places named as places ("Tampereella on vika"): nominative, where-at ("loc"), where-from, where-to. A bare
# place name is not an identifier in this product; only a street address is an ADDRESS.
PLACES: dict[str, tuple[str, str, str]] = {
    "Helsinki": ("Helsingissä", "Helsingistä", "Helsinkiin"), "Espoo": ("Espoossa", "Espoosta", "Espooseen"),
    "Tampere": ("Tampereella", "Tampereelta", "Tampereelle"), "Vantaa": ("Vantaalla", "Vantaalta", "Vantaalle"),
    "Oulu": ("Oulussa", "Oulusta", "Ouluun"), "Turku": ("Turussa", "Turusta", "Turkuun"),
    "Jyväskylä": ("Jyväskylässä", "Jyväskylästä", "Jyväskylään"), "Kuopio": ("Kuopiossa", "Kuopiosta", "Kuopioon"),
    "Lahti": ("Lahdessa", "Lahdesta", "Lahteen"), "Pori": ("Porissa", "Porista", "Poriin"),
    "Kouvola": ("Kouvolassa", "Kouvolasta", "Kouvolaan"), "Joensuu": ("Joensuussa", "Joensuusta", "Joensuuhun"),
    "Lappeenranta": ("Lappeenrannassa", "Lappeenrannasta", "Lappeenrantaan"),
    "Hämeenlinna": ("Hämeenlinnassa", "Hämeenlinnasta", "Hämeenlinnaan"),
    "Vaasa": ("Vaasassa", "Vaasasta", "Vaasaan"), "Seinäjoki": ("Seinäjoella", "Seinäjoelta", "Seinäjoelle"),
    "Rovaniemi": ("Rovaniemellä", "Rovaniemeltä", "Rovaniemelle"),
    "Mikkeli": ("Mikkelissä", "Mikkelistä", "Mikkeliin"), "Kotka": ("Kotkassa", "Kotkasta", "Kotkaan"),
    "Salo": ("Salossa", "Salosta", "Saloon"), "Porvoo": ("Porvoossa", "Porvoosta", "Porvooseen"),
    "Kokkola": ("Kokkolassa", "Kokkolasta", "Kokkolaan"), "Hyvinkää": ("Hyvinkäällä", "Hyvinkäältä", "Hyvinkäälle"),
    "Lohja": ("Lohjalla", "Lohjalta", "Lohjalle"), "Järvenpää": ("Järvenpäässä", "Järvenpäästä", "Järvenpäähän"),
    "Rauma": ("Raumalla", "Raumalta", "Raumalle"), "Kajaani": ("Kajaanissa", "Kajaanista", "Kajaaniin"),
    "Kerava": ("Keravalla", "Keravalta", "Keravalle"),
    "Savonlinna": ("Savonlinnassa", "Savonlinnasta", "Savonlinnaan"),
    "Nokia": ("Nokialla", "Nokialta", "Nokialle"), "Kangasala": ("Kangasalla", "Kangasalta", "Kangasalle"),
    "Riihimäki": ("Riihimäellä", "Riihimäeltä", "Riihimäelle"), "Imatra": ("Imatralla", "Imatralta", "Imatralle"),
    "Raisio": ("Raisiossa", "Raisiosta", "Raisioon"), "Kemi": ("Kemissä", "Kemistä", "Kemiin"),
    "Tornio": ("Torniossa", "Torniosta", "Tornioon"), "Iisalmi": ("Iisalmessa", "Iisalmesta", "Iisalmeen"),
    "Kuusamo": ("Kuusamossa", "Kuusamosta", "Kuusamoon"), "Forssa": ("Forssassa", "Forssasta", "Forssaan"),
    "Loviisa": ("Loviisassa", "Loviisasta", "Loviisaan"), "Heinola": ("Heinolassa", "Heinolasta", "Heinolaan"),
    "Varkaus": ("Varkaudessa", "Varkaudesta", "Varkauteen"), "Raahe": ("Raahessa", "Raahesta", "Raaheen"),
    "Ylöjärvi": ("Ylöjärvellä", "Ylöjärveltä", "Ylöjärvelle"),
    "Nurmijärvi": ("Nurmijärvellä", "Nurmijärveltä", "Nurmijärvelle"),
    "Kirkkonummi": ("Kirkkonummella", "Kirkkonummelta", "Kirkkonummelle"),
    "Tuusula": ("Tuusulassa", "Tuusulasta", "Tuusulaan"), "Sastamala": ("Sastamalassa", "Sastamalasta", "Sastamalaan"),
    "Pietarsaari": ("Pietarsaaressa", "Pietarsaaresta", "Pietarsaareen"),
    "Kauniainen": ("Kauniaisissa", "Kauniaisista", "Kauniaisiin"), "Lappi": ("Lapissa", "Lapista", "Lappiin"),
    "Uusimaa": ("Uudellamaalla", "Uudeltamaalta", "Uudellemaalle"),
    "Pirkanmaa": ("Pirkanmaalla", "Pirkanmaalta", "Pirkanmaalle"), "Kainuu": ("Kainuussa", "Kainuusta", "Kainuuseen"),
    "Savo": ("Savossa", "Savosta", "Savoon"), "Pohjanmaa": ("Pohjanmaalla", "Pohjanmaalta", "Pohjanmaalle"),
    "Ahvenanmaa": ("Ahvenanmaalla", "Ahvenanmaalta", "Ahvenanmaalle"),
}

# Authorities callers mention; not identifiers, but capitalised multi-word names a NER tags as ORG/PERSON.
AUTHORITIES: dict[str, dict[str, str]] = {
    "Maanmittauslaitos": {"gen": "Maanmittauslaitoksen", "abl": "Maanmittauslaitokselta",
                          "all": "Maanmittauslaitokselle", "ela": "Maanmittauslaitoksesta"},
    "Verohallinto": {"gen": "Verohallinnon", "abl": "Verohallinnolta", "all": "Verohallinnolle",
                     "ela": "Verohallinnosta"},
    "Kela": {"gen": "Kelan", "abl": "Kelalta", "all": "Kelalle", "ela": "Kelasta"},
    "Traficom": {"gen": "Traficomin", "abl": "Traficomilta", "all": "Traficomille", "ela": "Traficomista"},
    "Digi- ja väestötietovirasto": {"gen": "Digi- ja väestötietoviraston", "abl": "Digi- ja väestötietovirastolta",
                                    "all": "Digi- ja väestötietovirastolle",
                                    "ela": "Digi- ja väestötietovirastosta"},
    "Kuluttajaneuvonta": {"gen": "Kuluttajaneuvonnan", "abl": "Kuluttajaneuvonnalta",
                          "all": "Kuluttajaneuvonnalle", "ela": "Kuluttajaneuvonnasta"},
    "Poliisi": {"gen": "Poliisin", "abl": "Poliisilta", "all": "Poliisille", "ela": "Poliisista"},
    "Tietosuojavaltuutetun toimisto": {"gen": "Tietosuojavaltuutetun toimiston",
                                       "abl": "Tietosuojavaltuutetun toimistolta",
                                       "all": "Tietosuojavaltuutetun toimistolle",
                                       "ela": "Tietosuojavaltuutetun toimistosta"},
    "Kuluttajariitalautakunta": {"gen": "Kuluttajariitalautakunnan", "abl": "Kuluttajariitalautakunnalta",
                                 "all": "Kuluttajariitalautakunnalle", "ela": "Kuluttajariitalautakunnasta"},
    "Ulosottolaitos": {"gen": "Ulosottolaitoksen", "abl": "Ulosottolaitokselta", "all": "Ulosottolaitokselle",
                       "ela": "Ulosottolaitoksesta"},
}

# Operators and their forms (DNA takes a colon: "DNA:n", "DNA:lta").
OPERATORS: dict[str, dict[str, str]] = {
    "Elisa": {"gen": "Elisan", "abl": "Elisalta", "all": "Elisalle", "ela": "Elisasta"},
    "DNA": {"gen": "DNA:n", "abl": "DNA:lta", "all": "DNA:lle", "ela": "DNA:sta"},
    "Telia": {"gen": "Telian", "abl": "Telialta", "all": "Telialle", "ela": "Teliasta"},
    "Lounea": {"gen": "Lounean", "abl": "Lounealta", "all": "Lounealle", "ela": "Louneasta"},
    "Moi Mobiili": {"gen": "Moi Mobiilin", "abl": "Moi Mobiililta", "all": "Moi Mobiilille",
                    "ela": "Moi Mobiilista"},
    "Saunalahti": {"gen": "Saunalahden", "abl": "Saunalahdelta", "all": "Saunalahdelle", "ela": "Saunalahdesta"},
}
