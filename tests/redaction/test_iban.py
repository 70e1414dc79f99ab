import pytest

from redaction.recognizers import iban
from redaction.recognizers.iban import IbanRecognizer

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected", "score"), [
    ("tilinumero FI50 1034 5600 1234 56", "FI50 1034 5600 1234 56", 1.0),
    ("tililtä FI9057991120012345", "FI9057991120012345", 1.0),
    ("FI50 1034 5600 1234 56 kiitos", "FI50 1034 5600 1234 56", 1.0),
    ("ruotsalainen tili SE45 5000 0000 0583 9825 7466", "SE45 5000 0000 0583 9825 7466", 1.0),
    ("DE89370400440532013000.", "DE89370400440532013000", 1.0),
    ("fi50 1034 5600 1234 56", "fi50 1034 5600 1234 56", 1.0),
    ("FI50 1034 5600 1234 57", "FI50 1034 5600 1234 57", 0.4),  # checksum wrong: a cue must vouch for it
    ("ja 04 0123 4567 8901 234", None, None),  # a lower-case word is not a country code
    ("FI50 1034", None, None),  # too short
])
def test_pattern(text, expected, score):
    spans = IbanRecognizer().find(text)
    assert surfaces(text, spans) == ([expected] if expected else [])
    if expected:
        assert spans[0].score == score


@pytest.mark.parametrize(("text", "expected"), [
    ("tilinumero on F I viisi nolla yksi nolla kolme neljä viisi kuusi nolla nolla yksi kaksi kolme neljä"
     " viisi kuusi", "F I viisi nolla yksi nolla kolme neljä viisi kuusi nolla nolla yksi kaksi kolme neljä"
                     " viisi kuusi"),
    ("tilinumero FI50 1034 5600 1234 57", "FI50 1034 5600 1234 57"),
    # ASR output of d9: cue garbled into "Sillin umet", digits misspelt
    ("Sillin umet on hafi miisi noulra, yksi noulra, kolmen eljä miisi kusi noulra, noulra, yksi kaksi, "
     "kolmen eljä miisi kusi.", "hafi miisi noulra, yksi noulra, kolmen eljä miisi kusi noulra, noulra, yksi "
                               "kaksi, kolmen eljä miisi kusi"),
])
def test_spoken_and_cued(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "IBAN") == [expected]


def test_verbs():
    assert iban.compact("fi50 1034 5600 1234 56") == "FI5010345600123456"
    assert iban.validate("FI50 1034 5600 1234 56") == "FI5010345600123456"
    assert not iban.is_valid("FI50 1034 5600 1234 57")
