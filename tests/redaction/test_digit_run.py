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
