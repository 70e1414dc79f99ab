import pytest

from redaction.recognizers import ytunnus

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    ("y-tunnus on 2345678-0", ["2345678-0"]),
    ("toiminimen y-tunnus 1572860-0", ["1572860-0"]),
    ("yrityksen ytunnus 1572860 - 0", ["1572860 - 0"]),
    ("y tunnus yksi viisi seitsemän kaksi kahdeksan kuusi nolla viiva nolla",
     ["yksi viisi seitsemän kaksi kahdeksan kuusi nolla viiva nolla"]),
    ("koodi 1572860-0 toimi", []),  # valid, but without a cue a company ID is not personal data
    ("y-tunnus 1572860-1", ["1572860-1"]),  # checksum wrong: the cue vouches for it
])
def test_needs_context(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "YTUNNUS") == expected


def test_verbs():
    assert ytunnus.compact("1572860 -0") == "1572860-0"
    assert ytunnus.is_valid("1572860-0") and not ytunnus.is_valid("1572860-1")
