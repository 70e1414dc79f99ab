import pytest

from redaction.recognizers import email

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    ("sähköposti pekka.nieminen@example.fi", ["pekka.nieminen@example.fi"]),
    ("laita viesti tiina123@hotmail.com", ["tiina123@hotmail.com"]),
    ("osoite on anna-liisa+laskut@posti.example.co.uk.", ["anna-liisa+laskut@posti.example.co.uk"]),
    ("kirjoitin tiina @ gmail.com", ["tiina @ gmail.com"]),
    ("lähetä lasku osoitteeseen pekka.virtanen(at)gmail.com", ["pekka.virtanen(at)gmail.com"]),
    # dictated with Finnish punctuation words
    ("sähköposti on tiina piste laine ät gmail piste com", ["tiina piste laine ät gmail piste com"]),
    ("se on pekka ät elisa piste fi kiitos", ["pekka ät elisa piste fi"]),
    ("maija viiva liisa miukumauku example piste com", ["maija viiva liisa miukumauku example piste com"]),
    # not addresses
    ("sähköposti ei toimi puhelimessa", []),
    ("sähköpostiin tuli lasku", []),
    ("katso at the end", []),
    ("piste tuli lisää", []),
    ("hinta 5 € @ kpl", []),
])
def test_written_and_spoken(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text), "EMAIL") == expected


def test_garbled_after_cue(lexicon_analyzer):
    # ASR output of d8 ("sähköposti on pekka piste nieminen ät example piste fi"): only the cue survived
    text = "Saku posti on pekka, piisbeli ja minä hän peksemple piisbeli"
    assert "pekka, piisbeli ja minä hän peksemple piisbeli" in surfaces(text, lexicon_analyzer.analyze(text))


def test_garbled_after_cue_needs_a_connector_without_lexicon(bare_analyzer):
    assert bare_analyzer.analyze("sähköposti on rikki ja en saa yhteyttä") == []
    text = "sähköposti on tiina piste laine ät gmail piste com"
    assert surfaces(text, bare_analyzer.analyze(text), "EMAIL") == ["tiina piste laine ät gmail piste com"]


def test_is_valid():
    assert email.is_valid("a.b@c.fi") and email.is_valid("a @ c.fi")
    assert not email.is_valid("a@b") and not email.is_valid("@c.fi")


@pytest.mark.parametrize(("text", "expected"), [
    # digits belong to the word before them, in the local part and in the domain
    ("laita osoitteeseen ritva piste aalto kuusikymmentäkaksi ät suomi kaks neljä piste fi",
     ["ritva piste aalto kuusikymmentäkaksi ät suomi kaks neljä piste fi"]),
    ("se on oskari yhdeksän yhdeksän miukumauku luukku piste com kaikki pienellä",
     ["oskari yhdeksän yhdeksän miukumauku luukku piste com"]),
    # a name that only looks like a number word to the fuzzy reader ("aleksi" ~ kaksi) is a name
    ("laitetaan sähköpostiin aleksi alaviiva koski ät posti piste fi", ["aleksi alaviiva koski ät posti piste fi"]),
    # the address ends with its top-level domain, not at the end of the clause
    ("sähköpostiksi merkitty niina piste ojala ät gmail piste com onko oikein",
     ["niina piste ojala ät gmail piste com"]),
])
def test_dictated_with_digits(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text), "EMAIL") == expected
