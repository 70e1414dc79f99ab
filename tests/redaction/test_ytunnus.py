import pytest

from redaction.recognizers import ytunnus

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    ("y-tunnus on 2345678-0", ["2345678-0"]),
    ("toiminimen y-tunnus 1572860-0", ["1572860-0"]),
    ("yrityksen ytunnus 1572860 - 0", ["1572860 - 0"]),
    ("y tunnus yksi viisi seitsemän kaksi kahdeksan kuusi nolla viiva nolla",
     ["yksi viisi seitsemän kaksi kahdeksan kuusi nolla viiva nolla"]),
    ("y-tunnus 1572860-1", ["1572860-1"]),  # checksum wrong: the cue vouches for it
    ("koodi 1572860-1 toimi", []),  # checksum wrong and no cue: any number with a dash
    # valid codes need no cue: a sole trader's code is personal data and nothing tells it from a company's
    ("koodi 1572860-0 toimi", ["1572860-0"]),
    ("Lounea Oy (0139471-8) vastaa käsittelystä.", ["0139471-8"]),  # exact edges inside brackets
])
def test_needs_context(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "YTUNNUS") == expected


def test_verbs():
    assert ytunnus.compact("1572860 -0") == "1572860-0"
    assert ytunnus.is_valid("1572860-0") and not ytunnus.is_valid("1572860-1")
