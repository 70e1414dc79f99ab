import pytest

from redaction.recognizers import card
from redaction.recognizers.card import CardRecognizer

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected", "score"), [
    ("korttinumero 4000 0000 0000 0002", "4000 0000 0000 0002", 1.0),
    ("kortti on 5454 5454 5454 5454", "5454 5454 5454 5454", 1.0),
    ("4111-1111-1111-1111", "4111-1111-1111-1111", 1.0),
    ("amex 378282246310005 kiitos", "378282246310005", 1.0),
    ("4000 0000 0000 0002 12", "4000 0000 0000 0002", 1.0),  # a trailing unrelated number is left out
    ("9999 9999 9999 9995", "9999 9999 9999 9995", 0.6),  # Luhn-valid, unknown issuer
    ("4000 0000 0000 0001", None, None),  # Luhn fails
    ("0401234567", None, None),
    ("120466-512H", None, None),
])
def test_pattern(text, expected, score):
    spans = CardRecognizer().find(text)
    assert surfaces(text, spans) == ([expected] if expected else [])
    if expected:
        assert spans[0].score == score


@pytest.mark.parametrize(("text", "expected"), [
    ("korttinumero on neljä yksi yksi yksi, yksi yksi yksi yksi, yksi yksi yksi yksi, yksi yksi yksi yksi",
     "neljä yksi yksi yksi, yksi yksi yksi yksi, yksi yksi yksi yksi, yksi yksi yksi yksi"),
    ("kortin numero on 4000 0000 0000 0001", "4000 0000 0000 0001"),  # cue vouches, checksum fails
])
def test_spoken_and_cued(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "CARD") == [expected]


def test_verbs():
    assert card.compact("4000 0000-0000 0002") == "4000000000000002"
    assert card.is_valid("4000000000000002") and not card.is_valid("4000000000000001")
    assert card.has_issuer("5454545454545454") and not card.has_issuer("9999999999999995")
