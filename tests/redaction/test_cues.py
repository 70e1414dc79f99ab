import pytest

from redaction.recognizers.cues import find_cues, match_cue
from redaction.spoken import tokenize


@pytest.mark.parametrize(("text", "cue_text", "canonical"), [
    ("henkilötunnukseni on", "henkilötunnukseni", "henkilötunnus"),
    ("henkilö tunnukseni on", "henkilö tunnukseni", "henkilötunnus"),  # split by the ASR
    ("Sillin umet on hafi", "Sillin umet on", "tilinumero"),  # "tilinumero on"
    ("Saku posti on pekka", "Saku posti", "sähköposti"),
    ("Tymä päivä päällä soitta pekkäniä", "päällä soitta", "nimi"),  # "täällä soittaa"
    ("y-tunnus on", "y-tunnus", "y-tunnus"),
    ("mun puhelin numeroni on", "puhelin numeroni", "puhelinnumero"),
    ("kortin numero", "kortin numero", "korttinumero"),
])
def test_garbled_cues_are_found(text, cue_text, canonical):
    cues = find_cues(text, tokenize(text))
    assert [(text[c.start:c.end], c.cue.canonical) for c in cues][-1] == (cue_text, canonical)


@pytest.mark.parametrize("word", ["olin", "hetki", "nimenomaan", "tili-", "puhe", "soi"])
def test_short_or_unrelated_words_are_not_cues(word):
    assert match_cue(word) is None


def test_a_cue_never_swallows_the_number_after_it():
    text = "Sillin umet nolla neljä"
    (cue,) = find_cues(text, tokenize(text))
    assert text[cue.start:cue.end] == "Sillin umet"
