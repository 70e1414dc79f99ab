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


@pytest.mark.parametrize(("text", "expected"), [
    # the country spoken as letter names, no cue: the checksum says the letters belong to the number
    ("äf ii kaksi yksi yksi kaksi kolme neljä viisi kuusi nolla nolla nolla nolla seitsemän kahdeksan viisi",
     "äf ii kaksi yksi yksi kaksi kolme neljä viisi kuusi nolla nolla nolla nolla seitsemän kahdeksan viisi"),
    # read in groups as compound numerals
    ("se on äf ii kaksikymmentäyksi kaksitoista kolmekymmentäneljä viisikymmentäkuusi nolla nolla nolla"
     " seitsemän kahdeksankymmentäviisi", "äf ii kaksikymmentäyksi kaksitoista kolmekymmentäneljä"
     " viisikymmentäkuusi nolla nolla nolla seitsemän kahdeksankymmentäviisi"),
    # a foreign IBAN typed in lower case: valid by checksum, so a country code after all
    ("hyvitys menee tilille ee382200221020145685", "ee382200221020145685"),
])
def test_spoken_letters_and_lower_case(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text)) == [expected]


def test_spoken_letters_without_a_valid_checksum_are_a_generic_code(lexicon_analyzer):
    text = "äf ii kaksi yksi yksi kaksi kolme neljä viisi kuusi"  # too short to be an IBAN
    assert [(s.type, text[s.start:s.end]) for s in lexicon_analyzer.analyze(text)] == [("NUMBER", text)]
