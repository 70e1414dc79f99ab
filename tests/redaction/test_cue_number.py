import pytest

from .conftest import surfaces


@pytest.mark.parametrize(("text", "typ", "expected"), [
    ("asiakasnumeroni on kolme neljä viisi kuusi seitsemän kahdeksan", "CUSTOMER_NUMBER",
     "kolme neljä viisi kuusi seitsemän kahdeksan"),
    ("asiakasnumero 12345678", "CUSTOMER_NUMBER", "12345678"),
    ("sopimusnumero on siis öö 1234 5678", "CUSTOMER_NUMBER", "1234 5678"),
    ("numeroni on 040 765 1234", "PHONE", "040 765 1234"),  # generic cue, phone-shaped
    ("pojan tunnus on 010902A318N", "HETU", "010902A318N"),  # generic cue, HETU by checksum
    ("tunnus on viisi kuusi seitsemän kahdeksan", "CUSTOMER_NUMBER", "viisi kuusi seitsemän kahdeksan"),
    # garbled cues and digits from Whisper base
    ("henkilö tunnukseni on yksi kaksi nonranelli ja kousi kousi mii ma mii se yksi kaksi on.", "HETU",
     "yksi kaksi nonranelli ja kousi kousi mii ma mii se yksi kaksi"),
    ("Sillin umet on hafi miisi noulra, yksi noulra, kolmen eljä miisi kusi.", "IBAN",
     "hafi miisi noulra, yksi noulra, kolmen eljä miisi kusi"),
])
def test_cue_led_runs(bare_analyzer, text, typ, expected):
    spans = bare_analyzer.analyze(text)
    assert surfaces(text, spans) == [expected]
    assert spans[0].type == typ
    assert spans[0].explanation.context_cue is not None


def test_a_checksum_beats_the_cue_type(bare_analyzer):
    text = "puhelinnumero 120466-512H"
    assert [(s.type, text[s.start:s.end]) for s in bare_analyzer.analyze(text)] == [("HETU", "120466-512H")]


@pytest.mark.parametrize("text", [
    "numero on vaihtunut kaksi kertaa",  # too few digits after the cue
    "numeroni on salainen",
    "tilinumero löytyy laskusta",
    "soitan huomenna uudestaan kello kaksi",
    "henkilökunta oli ystävällistä",
    "numero kolme ja numero neljä",
])
def test_no_run_no_span(bare_analyzer, text):
    assert bare_analyzer.analyze(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("numero 0401234567 ja hetu 120466-512H", [("PHONE", "0401234567"), ("HETU", "120466-512H")]),
    # regression: the letter "y" of "y-tunnus" was read as part of the account number
    ("tilinumeroni on FI21 1234 5600 0007 85 ja y-tunnus 2345678-0",
     [("IBAN", "FI21 1234 5600 0007 85"), ("YTUNNUS", "2345678-0")]),
])
def test_run_stops_at_the_next_cue(bare_analyzer, text, expected):
    assert [(s.type, text[s.start:s.end]) for s in bare_analyzer.analyze(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the run stops where a checksummed identifier is complete, not at the next number in the sentence
    ("y-tunnus 2345678-0 löytyy kolme kertaa laskulta", "2345678-0"),
    # a dictionary word between numbers ends the identifier; an unknown (garbled) word does not
    ("puhelimen ohjelmisto 13 päivitettiin 4.8.3", None),
    ("korttinumero 4000 0000 0000 0002, tarkistan", "4000 0000 0000 0002"),
    # spoken letter names and a dash open a customer number after its cue
    ("asiakastunnus on äs oo pee viiva kuusi neljä kolme kaksi yksi", "äs oo pee viiva kuusi neljä kolme kaksi yksi"),
])
def test_where_a_cue_led_run_ends(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text)) == ([expected] if expected else [])
