import pytest

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    # Whisper base output of spoken identifiers whose cue did not survive (dev_audio d2, d3, d10)
    ("et mulis kaksi kolme yksi, yksi, yksi, yksi, yhden eljä, eljä, nollaaas.",
     "kaksi kolme yksi, yksi, yksi, yksi, yhden eljä, eljä, nollaaas"),
    ("Nimenomien on nolra neljä nolra, 7.2.m. Yksi kaksi kolme neljä.",
     "nolra neljä nolra, 7.2.m. Yksi kaksi kolme neljä"),
    ("coversiilemiin on suka noilaa noilaa noilaa ... noilaa noilaa... noilaa... noilga ... noilga....ssä",
     "noilaa noilaa noilaa ... noilaa noilaa... noilaa... noilga ... noilga"),
    ("se oli nolla neljä nolla seitsemän kuusi viisi yksi kaksi",
     "nolla neljä nolla seitsemän kuusi viisi yksi kaksi"),
    # prices, counts and times are compounds or short: not identifiers
    ("lasku oli neljäkymmentäyhdeksän euroa ja yhdeksänkymmentä senttiä", None),
    ("Laskuolin eljä kymmentäytekän euroa ja kymmentä sen tirää.", None),
    ("soitin kolme kertaa ja odotin kaksikymmentä minuuttia", None),
    ("kaksi kolme neljä", None),
    ("kuu on kirkas ja taksi tuli ajoissa", None),
])
def test_long_spoken_runs(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text)) == ([expected] if expected else [])


@pytest.mark.parametrize(("text", "expected"), [
    # written codes answering a cue in the other speaker's turn
    ("se on 7340918822", "7340918822"),
    ("joo, AB-4471902.", "AB-4471902"),
    ("laskulla lukee r5530917", "r5530917"),
    # spoken codes with a letter prefix, and digits read one by one
    ("koo än viiva kolme kolme yksi yhdeksän kaksi nolla", "koo än viiva kolme kolme yksi yhdeksän kaksi nolla"),
    ("noilaa noilaa neljä noilaa", "noilaa noilaa neljä noilaa"),
    # two compounds saying seven digits
    ("kolmetuhattaneljäsataaviisikymmentä kuusisataaseitsemänkymmentäkahdeksan",
     "kolmetuhattaneljäsataaviisikymmentä kuusisataaseitsemänkymmentäkahdeksan"),
    # not codes: prices, dates, versions, years, counts
    ("lasku oli 1249,90 euroa", None),
    ("päivitys 12.3.2025 versioon 4.8.3", None),
    ("olen ollut asiakas vuodesta 2013", None),
    ("nopeus on 1000 megaa ja hinta kaksisataa kaksikymmentäkolme euroa", None),
    ("yksi kaksi kolme", None),
])
def test_codes_without_a_cue(lexicon_analyzer, text, expected):
    assert surfaces(text, lexicon_analyzer.analyze(text)) == ([expected] if expected else [])
