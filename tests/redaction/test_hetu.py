import pytest
from stdnum.exceptions import InvalidChecksum

from redaction.recognizers import hetu
from redaction.recognizers.hetu import HetuRecognizer

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected", "score"), [
    # valid, every century sign
    ("henkilötunnukseni on 120466-512H", "120466-512H", 1.0),
    ("pojan tunnus on 010902A318N", "010902A318N", 1.0),
    ("hetu olis 231115E440S tytön liittymä", "231115E440S", 1.0),
    ("040179Y067X on minun", "040179Y067X", 1.0),
    ("lapsen hetu 080808F129U", "080808F129U", 1.0),
    ("280299Y345B", "280299Y345B", 1.0),
    ("070707B890N.", "070707B890N", 1.0),
    ("120890X778H,", "120890X778H", 1.0),
    ("050515C456U", "050515C456U", 1.0),
    ("120466-912D", "120466-912D", 1.0),  # temporary number (900-999) is personal data too
    ("120466-512h", "120466-512h", 1.0),  # lower-case check character
    ("120466 -512H", "120466 -512H", 1.0),  # split by a space
    # right shape, refused by stdnum
    ("joo se on 290284-0011", "290284-0011", 0.75),  # individual number 001 is never issued
    ("120466-512A", "120466-512A", 0.45),  # checksum wrong
    # not a HETU
    ("1204665-12H", None, None),
    ("120466-512H5", None, None),
    ("A120466-512H", None, None),
    ("120466_512H", None, None),
    ("lasku 120466 euroa", None, None),
])
def test_pattern(text, expected, score):
    spans = HetuRecognizer().find(text)
    assert surfaces(text, spans) == ([expected] if expected else [])
    if expected:
        assert spans[0].score == score
        assert spans[0].explanation.recognizer == "hetu"


@pytest.mark.parametrize(("text", "expected"), [
    ("henkilötunnus kaksi yhdeksän nolla kaksi kahdeksan neljä viiva nolla nolla yksi yksi",
     "kaksi yhdeksän nolla kaksi kahdeksan neljä viiva nolla nolla yksi yksi"),
    ("henkilötunnukseni on yksi kaksi nolla neljä kuusi kuusi viiva viisi yksi kaksi hoo",
     "yksi kaksi nolla neljä kuusi kuusi viiva viisi yksi kaksi hoo"),
    ("hetu olis kaksi kolme yksi yksi yksi viisi ee neljä neljä nolla äs",
     "kaksi kolme yksi yksi yksi viisi ee neljä neljä nolla äs"),
    ("hetu 120466-512A", "120466-512A"),  # wrong checksum, but the cue vouches for it
    # ASR output of d1: no valid HETU survives, the cue carries it
    ("henkilö tunnukseni on yksi kaksi nonranelli ja kousi kousi mii ma mii se yksi kaksi on.",
     "yksi kaksi nonranelli ja kousi kousi mii ma mii se yksi kaksi"),
])
def test_spoken_and_cued(bare_analyzer, text, expected):
    spans = bare_analyzer.analyze(text)
    assert surfaces(text, spans, "HETU") == [expected]


def test_wrong_checksum_without_cue_is_not_reported(bare_analyzer):
    assert bare_analyzer.analyze("koodi 120466-512A tuli") == []


def test_verbs_keep_the_separator():
    assert hetu.compact("120466 -512h") == "120466-512H"
    assert hetu.validate("131052A308T") == "131052A308T"
    assert hetu.is_valid("131052-308T") and hetu.is_valid("131052A308T")
    assert hetu.compact("131052A308T") != hetu.compact("131052-308T")  # never rewritten into each other
    with pytest.raises(InvalidChecksum) as err:
        hetu.validate("120466-512A")
    assert "120466" not in str(err.value)
