import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redaction.numbers import DIGIT_WORDS, classify_word, normalise, number_items, parse_compound

CLEAN_LINES = [
    "internet ei toimi ollenkaan tänään",
    "lasku oli 49,90 euroa vaikka piti olla 29,90",
    "vika alkoi maanantaina kello 8",
    "nopeus on vain 10 megaa vaikka tilasin 300",
    "haluaisin irtisanoa kaapeli-tv paketin",
    "laitteen sarjanumero ei ole näkyvissä",
    "asentaja tulee keskiviikkona kahden ja neljän välillä",
    "kiitos paljon ja hyvää viikonloppua",
    "kuu on kirkas ja taksi tuli ajoissa",
    "sataa lunta satamassa toistaiseksi",
    "olla tai olla olematta",
    "suksi ja kusi ja misi ja viis ja kasi",
    "intemme peitoi miolinkaan pahan, ja mokemmi milt kuu.",
]


@pytest.mark.parametrize("text", CLEAN_LINES)
def test_ordinary_words_are_untouched(text):
    assert normalise(text).text == text


@pytest.mark.parametrize(("text", "expected"), [
    ("nolla neljä nolla", "040"),
    ("nolra neljä nolra", "040"),
    ("Kaksi, Kaksi", "22"),
    ("kaksi toista", "12"),
    ("kuu si kaksi", "62"),
    ("yks kaks viis kaheksan ysi kasi seiska", "1258987"),
    ("karteksan semmän eljä noulra", "8740"),
    ("neljäkymmentäyhdeksän", "49"),
    ("kaksikymmentä kolme", "23"),
    ("sata kaksikymmentä kolme", "123"),
    ("sata", "100"),
    ("0 4 0 1 2 3 4 5 6 7", "0401234567"),
    ("040 765 1234", "040 765 1234"),  # written numbers stay as written
    ("kaksi yhdeksän nolla kaksi kahdeksan neljä viiva nolla nolla yksi yksi", "290284-0011"),
    ("yksi kaksi nolla neljä kuusi kuusi viiva viisi yksi kaksi hoo", "120466-512H"),
    ("kaksi kolme yksi yksi yksi viisi ee neljä neljä nolla äs", "231115E440S"),
    ("F I viisi nolla yksi nolla kolme neljä viisi kuusi", "FI50103456"),
    ("asemakatu viisi bee kaksitoista", "asemakatu 5B12"),
    ("lasku oli neljäkymmentäyhdeksän euroa ja yhdeksänkymmentä senttiä", "lasku oli 49 euroa ja 90 senttiä"),
    ("takaisinsoitto numeroon nolla neljä viisi, kaksi kolme neljä, viisi kuusi seitsemän kahdeksan",
     "takaisinsoitto numeroon 0452345678"),
    # ASR output: garbled tokens between certain ones count, garbled edges do not
    ("Soittakaa nimenomaan nolla Meljami, Suksi, Suksi, Kaksi, Kaksi, Kaksi, Kaksi",
     "Soittakaa nimenomaan 04112222"),
    ("coversiilemiin on suka noilaa noilaa noilaa ... noilaa", "coversiilemiin on suka 0000"),
])
def test_normalise(text, expected):
    assert normalise(text).text == expected


def test_letter_names_only_start_a_run_after_a_cue():
    text = "tilinumero äf ii viisi nolla yksi nolla"
    assert normalise(text).text == "tilinumero äf ii 5010"
    assert normalise(text, after_cues=[len("tilinumero")]).text == "tilinumero FI5010"


def test_offsets_map_back_to_the_words():
    text = "numeroni on nolla neljä nolla, seitsemän kuusi viisi kiitos"
    norm = normalise(text)
    assert norm.text == "numeroni on 040765 kiitos"
    start = norm.text.index("040765")
    a, b = norm.to_original(start, start + 6)
    assert text[a:b] == "nolla neljä nolla, seitsemän kuusi viisi"
    # part of a run maps to the whole run: half a spoken number must not stay readable
    assert norm.to_original(start + 1, start + 2) == (a, b)
    k = norm.text.index("kiitos")
    assert text[slice(*norm.to_original(k, k + 6))] == "kiitos"


@pytest.mark.parametrize(("word", "value"), [
    ("neljäkymmentäyhdeksän", 49), ("kaksitoista", 12), ("sata", 100), ("kolmesataa", 300),
    ("tuhat", 1000), ("kaksituhattakaksikymmentäneljä", 2024), ("kymmenen", 10), ("yhdeksänkymmentä", 90),
    ("satama", None), ("toistaiseksi", None), ("sataa", None), ("toista", None), ("kaksikolme", None),
])
def test_parse_compound(word, value):
    assert parse_compound(word) == value


@pytest.mark.parametrize(("word", "certainty"), [
    ("nolla", "exact"), ("7", "exact"), ("nolra", "strong"), ("noilaa", "strong"), ("kousi", "strong"),
    ("kuu", "weak"), ("kahden", "weak"), ("olla", "guess"), ("meljami", "strong"), ("suksi", "strong"),
    ("auto", None),
])
def test_classify_word(word, certainty):
    reading = classify_word(word)
    assert (reading.certainty if reading else None) == certainty


def test_a_lexicon_demotes_real_words_that_look_like_digits(lexicon_analyzer):
    readings = {first.text: word.certainty for first, _, word in
                number_items("suksi taksi noilaa", lexicon=lexicon_analyzer.lexicon) if word}
    assert readings == {"suksi": "guess", "taksi": "guess", "noilaa": "strong"}


# ------------------------------------------------------------------------------------------ properties

FILLER = st.sampled_from(["ja", "on", "numero", "kiitos", "hei", "lasku", "euroa", "olla", "kuu", "taksi",
                          "suksi", "kahden", "mii", "ee", "bee", "viiva", "F", "I", "7", "040", "12,90"])
NUMBER = st.sampled_from([*DIGIT_WORDS, "nolra", "eljä", "misi", "kaksitoista", "neljäkymmentä", "sata"])
SEP = st.sampled_from([" ", " ", ", ", ". ", "... ", "  ", "\n"])


@st.composite
def transcripts(draw):
    words = draw(st.lists(st.one_of(FILLER, NUMBER), min_size=0, max_size=25))
    seps = draw(st.lists(SEP, min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps, strict=True))


@settings(max_examples=300, deadline=None)
@given(transcripts())
def test_offset_map_is_monotone_and_exact_outside_runs(text):
    norm = normalise(text)
    n = len(norm.text)
    if n:
        assert norm.to_original(0, n) == (0, len(text))
    previous = (0, 0)
    for i in range(n):
        a, b = norm.to_original(i, i + 1)
        assert 0 <= a < b <= len(text)
        assert a >= previous[0] and b >= previous[1]
        previous = (a, b)
        if b - a == 1 and not any(r.start <= a < r.end for r in norm.runs):
            assert text[a] == norm.text[i]  # untouched characters are the original characters
    for run in norm.runs:  # every rewritten stretch begins and ends on a word
        assert text[run.start].isalnum() and text[run.end - 1].isalnum()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(DIGIT_WORDS)), min_size=1, max_size=12))
def test_runs_of_digit_words_concatenate(words):
    assert normalise(" ".join(words)).text == "".join(DIGIT_WORDS[w] for w in words)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefghijklmnoprstuvyäö ,."), max_size=60))
def test_text_without_number_words_is_identity(text):
    norm = normalise(text)
    if not norm.runs:
        assert norm.text == text
        assert all(norm.to_original(i, i + 1) == (i, i + 1) for i in range(len(text)))


# ---------------------------------------------------------------------------------- generalisation (issue 10)

@pytest.mark.parametrize(("word", "value", "certainty"), [
    # garbled compounds: a unit the ASR dropped counts as one, a misspelt multiplier still reads as one
    ("kymmentäkaksi", 12, "strong"),
    ("tuhakksisataa", 1100, "strong"),
    ("kolmekymmentäm", 30, "guess"),  # one stray letter at the end: a guess
    ("sataa", 100, "guess"),  # it rains: a lone multiplier is only a guess
])
def test_garbled_compounds_read_as_numerals(word, value, certainty):
    reading = classify_word(word)
    assert reading is not None and (int(reading.text), reading.certainty) == (value, certainty)


@pytest.mark.parametrize("word", ["viides", "neljättä", "kolmannen", "kahdestoista", "yhdeksättä", "toinen"])
def test_ordinals_are_dates_not_digits(word):
    assert classify_word(word) is None


@pytest.mark.parametrize(("text", "expected"), [
    # place values must fall: 20 and 96 said in a row are two groups, not 116
    ("kaksikymmentä yhdeksänkymmentäkuusi", "2096"),
    ("seitsemäntoista kolmetuhattakuusisataa", "173600"),
    ("kaksituhatta kaksikymmentäviisi", "2025"),  # a round compound and what completes it still add up
    ("eräpäivä on viides neljättä", "eräpäivä on viides neljättä"),
    # a garbled word the lexicon does not know, inside a spoken number, is spanned and gives no digit
    ("kaksi kolme yksi misi hyy eljä nolla", "231540"),
    ("nolla kaksi kolme äf kymmenen", "023F10"),  # a letter name does not fuse with the next numeral
])
def test_runs_read_group_by_group(lexicon_analyzer, text, expected):
    assert normalise(text, lexicon=lexicon_analyzer.lexicon).text == expected


def test_parse_compound_rejects_out_of_order_places():
    assert parse_compound("kaksikymmentäyhdeksänkymmentäkuusi") is None
    assert parse_compound("satakymmenen") == 110
