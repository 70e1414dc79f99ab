import pytest

from redaction.recognizers import phone
from redaction.recognizers.phone import PhoneRecognizer

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    ("numeroni on 040 765 1234", ["040 765 1234"]),
    ("soita +358 44 555 1212", ["+358 44 555 1212"]),
    ("mun kännykkä 0501239876", ["0501239876"]),
    ("numero 045-111 2222 kiitos", ["045-111 2222"]),
    ("kotinumero 09 4567 890", ["09 4567 890"]),
    ("0 4 0 1 2 3 4 5 6 7", ["0 4 0 1 2 3 4 5 6 7"]),
    ("ruotsalainen +46 8 123 456 78", ["+46 8 123 456 78"]),
    # not phone numbers: prices, times, HETU, IBAN, Y-tunnus digits
    ("lasku oli 49,90 euroa vaikka piti olla 29,90", []),
    ("vika alkoi maanantaina kello 8", []),
    ("hetu 120466-512H", []),
    ("tili FI50 1034 5600 1234 56", []),
    ("y-tunnus 1572860-0", []),
])
def test_pattern(text, expected):
    assert surfaces(text, PhoneRecognizer().find(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("takaisinsoitto numeroon nolla neljä viisi, kaksi kolme neljä, viisi kuusi seitsemän kahdeksan",
     "nolla neljä viisi, kaksi kolme neljä, viisi kuusi seitsemän kahdeksan"),
    ("numero nolra viisi nolra kaksi kaksi kolme neljä neljä viisi viisi",
     "nolra viisi nolra kaksi kaksi kolme neljä neljä viisi viisi"),
    ("puhelinnumero nolla viisi nolla, seittemän seittemän seittemän, kaheksan kaheksan kaheksan kaheksan",
     "nolla viisi nolla, seittemän seittemän seittemän, kaheksan kaheksan kaheksan kaheksan"),
    # ASR output of d4: "numeroon" became "nimenomaan", "neljä" became "Meljami"
    ("Soittakaa nimenomaan nolla Meljami, Suksi, Suksi, Kaksi, Kaksi, Kaksi, Kaksi",
     "nolla Meljami, Suksi, Suksi, Kaksi, Kaksi, Kaksi, Kaksi"),
    ("voitte soittaa +358 40 987 6543", "+358 40 987 6543"),
])
def test_spoken_and_cued(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "PHONE") == [expected]


def test_verbs():
    assert phone.compact("+358 40-765 1234") == "+358407651234"
    assert phone.validate("040 765 1234") == "+358407651234"
    assert phone.is_valid("0407651234") and not phone.is_valid("123")
    with pytest.raises(ValueError, match="phone") as err:
        phone.validate("12")
    assert "12" not in str(err.value)
