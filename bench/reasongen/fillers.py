"""Slot values for the call-reason templates, pre-inflected (Finnish case forms are written out, not derived).

Each slot has a ``train``, a ``dev`` and a ``test`` pool; the dev and test pools hold values the train lines
never use (other services, devices, places), so they measure how the model does on nouns it has not seen with
a label.
Cases: n nominative, g genitive, p partitive, i illative, e elative.
"""

from __future__ import annotations

_SERVICES_TRAIN = (
    ("liittymä", "liittymän", "liittymää", "liittymään", "liittymästä"),
    ("nettiliittymä", "nettiliittymän", "nettiliittymää", "nettiliittymään", "nettiliittymästä"),
    ("laajakaista", "laajakaistan", "laajakaistaa", "laajakaistaan", "laajakaistasta"),
    ("tv-paketti", "tv-paketin", "tv-pakettia", "tv-pakettiin", "tv-paketista"),
    ("puhelinliittymä", "puhelinliittymän", "puhelinliittymää", "puhelinliittymään", "puhelinliittymästä"),
    ("netti", "netin", "nettiä", "nettiin", "netistä"),
    ("4g-liittymä", "4g-liittymän", "4g-liittymää", "4g-liittymään", "4g-liittymästä"),
    ("perhepaketti", "perhepaketin", "perhepakettia", "perhepakettiin", "perhepaketista"),
    ("tv-palvelu", "tv-palvelun", "tv-palvelua", "tv-palveluun", "tv-palvelusta"),
    ("kiinteä laajakaista", "kiinteän laajakaistan", "kiinteää laajakaistaa", "kiinteään laajakaistaan",
     "kiinteästä laajakaistasta"),
    ("liittymäsopimus", "liittymäsopimuksen", "liittymäsopimusta", "liittymäsopimukseen", "liittymäsopimuksesta"),
)
_SERVICES_DEV = (
    ("kuituliittymä", "kuituliittymän", "kuituliittymää", "kuituliittymään", "kuituliittymästä"),
    ("mobiililaajakaista", "mobiililaajakaistan", "mobiililaajakaistaa", "mobiililaajakaistaan",
     "mobiililaajakaistasta"),
    ("kanavapaketti", "kanavapaketin", "kanavapakettia", "kanavapakettiin", "kanavapaketista"),
    ("kaapeli-tv", "kaapeli-tv:n", "kaapeli-tv:tä", "kaapeli-tv:hen", "kaapeli-tv:stä"),
    ("prepaid", "prepaidin", "prepaidia", "prepaidiin", "prepaidista"),
    ("yhteys", "yhteyden", "yhteyttä", "yhteyteen", "yhteydestä"),
)
_SERVICES_TEST = (
    ("kotinetti", "kotinetin", "kotinettiä", "kotinettiin", "kotinetistä"),
    ("viihdepaketti", "viihdepaketin", "viihdepakettia", "viihdepakettiin", "viihdepaketista"),
    ("dataliittymä", "dataliittymän", "dataliittymää", "dataliittymään", "dataliittymästä"),
    ("lankapuhelin", "lankapuhelimen", "lankapuhelinta", "lankapuhelimeen", "lankapuhelimesta"),
    ("kuituyhteys", "kuituyhteyden", "kuituyhteyttä", "kuituyhteyteen", "kuituyhteydestä"),
    ("5g-netti", "5g-netin", "5g-nettiä", "5g-nettiin", "5g-netistä"),
)
_DEVICES_TRAIN = (
    ("reititin", "reitittimen", "reititintä", "reitittimeen", "reitittimestä"),
    ("modeemi", "modeemin", "modeemia", "modeemiin", "modeemista"),
    ("digiboksi", "digiboksin", "digiboksia", "digiboksiin", "digiboksista"),
    ("kaapelimodeemi", "kaapelimodeemin", "kaapelimodeemia", "kaapelimodeemiin", "kaapelimodeemista"),
    ("wifi-vahvistin", "wifi-vahvistimen", "wifi-vahvistinta", "wifi-vahvistimeen", "wifi-vahvistimesta"),
    ("ulkoantenni", "ulkoantennin", "ulkoantennia", "ulkoantenniin", "ulkoantennista"),
)
_DEVICES_DEV = (
    ("tukiasema", "tukiaseman", "tukiasemaa", "tukiasemaan", "tukiasemasta"),
    ("mokkula", "mokkulan", "mokkulaa", "mokkulaan", "mokkulasta"),
    ("vastaanotin", "vastaanottimen", "vastaanotinta", "vastaanottimeen", "vastaanottimesta"),
)
_DEVICES_TEST = (
    ("tv-boksi", "tv-boksin", "tv-boksia", "tv-boksiin", "tv-boksista"),
    ("kuitumodeemi", "kuitumodeemin", "kuitumodeemia", "kuitumodeemiin", "kuitumodeemista"),
    ("mesh-laite", "mesh-laitteen", "mesh-laitetta", "mesh-laitteeseen", "mesh-laitteesta"),
)
CASES = "ngpie"

SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "amt": {"train": ("39", "89,90", "120", "kuuskyt", "sata", "19,90", "kolkyt", "250", "puolitoista sataa"),
            "dev": ("54", "212,40", "seittemänkymmentä", "neljäkymmentäviis"),
            "test": ("73,50", "kakssataa", "15", "yheksänkymmentä")},
    "when": {"train": ("ensi kuussa", "kuun vaihteessa", "ensi viikolla", "vuodenvaihteessa", "heti huomenna",
                       "syyskuussa", "ensi vuonna"),
             "dev": ("toukokuun alussa", "parin viikon päästä", "heti ensi maanantaina"),
            "test": ("juhannuksen jälkeen", "maaliskuun lopussa", "heti kun mahdollista")},
    "firm": {"train": ("firmalle", "meidän yritykselle", "toimistolle", "meidän kaupalle", "konepajalle",
                       "meidän seuralle"),
             "dev": ("meidän tilitoimistolle", "parturiliikkeelle", "osakeyhtiöllemme"),
            "test": ("meidän rakennusfirmalle", "yhdistykselle", "kahvilalle")},
    "num": {"train": ("viisi", "kymmenen", "kolme", "kaksi", "kuusi", "viistoista"),
            "dev": ("kaksitoista", "kuus", "neljä"),
            "test": ("kaheksan", "seitsemän", "kaksikymmentä")},
    "pl": {"train": ("[OSOITE]", "mökille", "uuteen kotiin", "kaksioon", "Turkuun", "vanhempien luo"),
           "dev": ("kesämökille", "rivitaloon osoitteessa [OSOITE]", "omakotitaloon"),
            "test": ("saunamökille", "kerrostaloon osoitteessa [OSOITE]", "Ouluun")},
    "mch": {"train": ("puhelinmyyntiä", "mainossähköposteja", "tekstiviestimainoksia", "mainoksia", "kampanjaviestejä",
                      "puhelinmarkkinointia"),
            "dev": ("markkinointisoittoja", "mainoskirjeitä", "tarjousviestejä"),
            "test": ("myyntipuheluita", "mainoksia postissa", "uutiskirjeitä")},
}


_SERVICES = {"train": _SERVICES_TRAIN, "dev": _SERVICES_DEV, "test": _SERVICES_TEST}
_DEVICES = {"train": _DEVICES_TRAIN, "dev": _DEVICES_DEV, "test": _DEVICES_TEST}


def service(split: str) -> tuple[tuple[str, ...], ...]:
    return _SERVICES[split]


def device(split: str) -> tuple[tuple[str, ...], ...]:
    return _DEVICES[split]
