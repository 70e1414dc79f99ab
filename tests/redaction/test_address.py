import pytest

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    ("asun Asemakatu 5 B 12, 24100 Salo", ["Asemakatu 5 B 12, 24100 Salo"]),
    ("osoite Puistotie 8, 25500 Perniö", ["Puistotie 8, 25500 Perniö"]),
    ("muutan osoitteeseen Kauppakatu 17 A 3", ["Kauppakatu 17 A 3"]),
    ("postit menee Hämeenkatu 20 A 6, 33200 Tampere", ["Hämeenkatu 20 A 6, 33200 Tampere"]),
    ("bor på Storgatan 5", ["Storgatan 5"]),
    ("asun Asemakadulla 5", ["Asemakadulla 5"]),  # inflected street
    ("asun mannerheimintie 12 B 34, 00100 helsinki", ["mannerheimintie 12 B 34, 00100 helsinki"]),
    ("osoite on koivukuja 3 A 5", ["koivukuja 3 A 5"]),
    ("asun osoitteessa asemakatu viisi bee kaksitoista", ["asemakatu viisi bee kaksitoista"]),  # spoken
    ("muutin puistotielle viime kuussa", ["puistotielle"]),  # a street after a cue, no number
    ("toimitusosoite Rantatie 4, 90100 Oulu", ["Rantatie 4, 90100 Oulu"]),
    # not addresses
    ("kävelin kävelykadulla eilen", []),
    ("haluan vaihtaa osoitteen laskulle", []),
    ("vaatien 5 euroa hyvitystä", []),
    ("rautatie 5 kilometrin päässä", []),
])
def test_addresses(nlp_analyzer, text, expected):
    assert surfaces(text, nlp_analyzer.analyze(text), "ADDRESS") == expected


def test_city_named_by_ner_is_merged(nlp_analyzer):
    text = "asun Asemakatu 5, Helsinki"
    assert surfaces(text, nlp_analyzer.analyze(text), "ADDRESS") == ["Asemakatu 5, Helsinki"]
