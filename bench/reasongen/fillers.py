"""Slot values for the call-reason templates, pre-inflected (Finnish case forms are written out, not derived).

Each slot has a ``train`` and a ``dev`` pool; the dev pool holds values the train lines never use (other
services, devices, places), so dev measures how the model does on nouns it has not seen with a label.
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
_DEVICES_TRAIN = (
    ("reititin", "reitittimen", "reititintä", "reitittimeen", "reitittimestä"),
    ("modeemi", "modeemin", "modeemia", "modeemiin", "modeemista"),
    ("digiboksi", "digiboksin", "digiboksia", "digiboksiin", "digiboksista"),
)
_DEVICES_DEV = (
    ("tukiasema", "tukiaseman", "tukiasemaa", "tukiasemaan", "tukiasemasta"),
    ("mokkula", "mokkulan", "mokkulaa", "mokkulaan", "mokkulasta"),
    ("vastaanotin", "vastaanottimen", "vastaanotinta", "vastaanottimeen", "vastaanottimesta"),
)
CASES = "ngpie"

SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "amt": {"train": ("39", "89,90", "120", "kuuskyt", "sata"),
            "dev": ("54", "212,40", "seittemänkymmentä", "neljäkymmentäviis")},
    "when": {"train": ("ensi kuussa", "kuun vaihteessa", "ensi viikolla"),
             "dev": ("toukokuun alussa", "parin viikon päästä", "heti ensi maanantaina")},
    "firm": {"train": ("firmalle", "meidän yritykselle", "toimistolle"),
             "dev": ("meidän tilitoimistolle", "parturiliikkeelle", "osakeyhtiöllemme")},
    "num": {"train": ("viisi", "kymmenen", "kolme"), "dev": ("kaksitoista", "kuus", "neljä")},
    "pl": {"train": ("[OSOITE]", "mökille", "uuteen kotiin"),
           "dev": ("kesämökille", "rivitaloon osoitteessa [OSOITE]", "omakotitaloon")},
    "mch": {"train": ("puhelinmyyntiä", "mainossähköposteja", "tekstiviestimainoksia"),
            "dev": ("markkinointisoittoja", "mainoskirjeitä", "tarjousviestejä")},
}


def service(split: str) -> tuple[tuple[str, ...], ...]:
    return _SERVICES_DEV if split == "dev" else _SERVICES_TRAIN


def device(split: str) -> tuple[tuple[str, ...], ...]:
    return _DEVICES_DEV if split == "dev" else _DEVICES_TRAIN
