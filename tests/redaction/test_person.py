import pytest

from .conftest import surfaces


@pytest.mark.parametrize(("text", "expected"), [
    # cased text: spaCy NER
    ("hyvää päivää Pekka Nieminen soittaa", ["Pekka Nieminen"]),
    ("puhuin viime viikolla Marja Leinoselle", ["Marja Leinoselle"]),
    ("Tiina Laine soitti eilen", ["Tiina Laine"]),
    # lower case (ASR): the Voikko lexicon
    ("hyvää päivää pekka nieminen soittaa", ["pekka nieminen"]),
    ("puhuin marja leinosen kanssa viime viikolla", ["marja leinosen"]),
    ("puhuin eilen kallen kanssa", ["kallen"]),
    ("soitan vaimoni anne lehtosen puolesta", ["anne lehtosen"]),
    # cues
    ("joo nimeni on pekka virtanen ja soitan laskusta", ["pekka virtanen"]),
    ("olen Tiina Laine Salosta", ["Tiina Laine"]),  # the third word is where she is from
    ("soittelen Ville Hakalan asiasta", ["Ville Hakalan"]),
    ("Puhun Antti Rinteen puolesta", ["Antti Rinteen"]),  # regression: "rinteen" is also a slope
    ("sopimus on Mikko Laaksosen nimissä", ["Mikko Laaksosen"]),
    ("tilaaja on esko rantanen", ["esko rantanen"]),
    ("hei mä oon jukka mäkinen ja mun netti ei toimi", ["jukka mäkinen"]),
    # ASR output of d5 ("täällä soittaa Pekka Nieminen"): cue and name garbled beyond any dictionary
    ("Tymä päivä päällä soitta pekkäniä minen", ["pekkäniä minen"]),
    # not names
    ("elisan liittymä on ollut hyvä", []),
    ("olen tyytymätön palveluun", []),
    ("olen soittanut tästä asiasta aiemminkin", []),
    ("täällä soittaa asiakas", []),
    ("päivää soitan internet yhteyden takia", []),
    ("marja on hyvää ja laine on korkea", []),  # a berry and a wave
    ("intemme peitoi miolinkaan pahan, ja mokemmi milt kuu.", []),  # ASR noise without a cue
])
def test_names(nlp_analyzer, text, expected):
    assert surfaces(text, nlp_analyzer.analyze(text), "PERSON") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("nimeni on Pekka Virtanen", ["Pekka Virtanen"]),
    ("nimeni on pekka virtanen", []),  # no lexicon: lower-case words cannot be told from names
])
def test_without_lexicon_only_capitalised_names_follow_cues(bare_analyzer, text, expected):
    assert surfaces(text, bare_analyzer.analyze(text), "PERSON") == expected


# With the cue garbled away, two non-dictionary words ending a short sentence of greeting, introduction or
# garbled words, one of them close to a known name, are the name; "prev \n turn" is how the pipeline
# analyses a turn.
@pytest.mark.parametrize(("text", "expected"), [
    # pipeline ASR of dev clip d5 ("hyvää päivää täällä soittaa Pekka Nieminen")
    ("Tymäpäinmätä läsojta pekkäniä minen.", ["pekkäniä minen"]),
    # variants: umlaut slips and a lexicon suggestion ("korhose" -> Korhosen, "virtamen" -> Virtanen)
    ("Huomenta, annä korhose.", ["annä korhose"]),
    ("Hyvä päivä, liisän virtamen.", ["liisän virtamen"]),
    ("Hyväpäivä, tässä jukkä mäkisse.", ["jukkä mäkisse"]),
    ("iltaa, sannä nieminne.", ["sannä nieminne"]),
    ("Huomenta. Sotan mattti virtasse.", ["mattti virtasse"]),  # the intro verb garbled too
    ("Kiitos Selma, hei.", ["Selma"]),  # a name the agent addresses
    ("nimeni on Selma, kiitos hei.", ["Selma"]),  # a cue: a name even before "kiitos hei"
    # not names: "Selvä, kiitos, hei" at the end of the stereo call fixture, as the pipeline heard it
    ("on kaapelivika. Korjaus valmistuu huomenna. \n Selma, kiitos hei.", []),
    ("Selma, kiitos hei.", []),
    # not names: the agent's "Alueella on kaapelivika." in the same call; the sentence is no introduction
    ("Koi mukia kolme, nolla kaksi yksi kaksi nolla epo. \n Alueella ronka pelimika. Kron jous malmistuhu menhää.",
     []),
    # not names: colloquial words no dictionary knows ending a greeting
    ("terve, mä tilasin uuden reitittimen mut se ei oo tullu viel.", []),
    ("hei, laskussa on jotain outoo veloituksii.", []),
    ("päivää, modeemi vilkkuu punasta valoo.", []),
    ("Laskuolinen ja kymmentäyteksan euroa ja kymmentä sen tirää.", []),  # pipeline ASR of clean clip d12
])
def test_garbled_introductions(nlp_analyzer, text, expected):
    assert surfaces(text, nlp_analyzer.analyze(text), "PERSON") == expected


# ---------------------------------------------------------------------------------- generalisation (issue 10)
@pytest.mark.parametrize(("text", "expected"), [
    # hyphenated surnames and first names, in lower case
    ("nimeni on ville koskinen-mäkelä", ["ville koskinen-mäkelä"]),
    ("täällä tuula vainio-rantanen hei", ["tuula vainio-rantanen"]),
    # a surname that is an ordinary noun or adjective, after a first name that can only be a name
    ("joo mirjami kivimaa tässä", ["mirjami kivimaa"]),
    ("puhuin sirpa pitkäsen kanssa", ["sirpa pitkäsen"]),
    # a first name the lexicon lacks, capitalised before a surname it knows
    ("Vahvistetaan: Armas Heikkinen, onko oikein?", ["Armas Heikkinen"]),
    # honorifics and a name before "nimissä"
    ("herra Kallio, hetki vain", ["Kallio"]),
    ("liittymä on jussi mattilan nimissä", ["jussi mattilan"]),
    # institutions, companies, places and numbers are not persons
    ("Tiedot tulevat Verohallinnolta ja Maanmittauslaitokselta.", []),
    ("Laskuttaja on Heikkinen Lehtonen Oy.", []),
    ("Myymälä on Kokkolassa.", []),
    ("liittymä maksaa kakskymmentäkolme euroa", []),
    ("liittymässä on viiskymmentä gigaa", []),
    ("Tyttären hetu on tarkistettu.", []),
])
def test_generalised_names(nlp_analyzer, text, expected):
    assert surfaces(text, nlp_analyzer.analyze(text), "PERSON") == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the ASR cut a garbled name into pieces, after a garbled greeting
    ("Hyvää päivee, sou taa jarmö nia virtane.", ["jarmö nia virtane"]),
    # an unknown word with a surname ending after an unknown or short word
    ("Hei, täällä on ma, vibitanen, ja soitan laskusta.", ["ma, vibitanen"]),
    ("Olemme riin vaklainen saattelusta.", ["riin vaklainen"]),
    # ASR noise without name evidence stays
    ("intemme peitoi miolinkaan pahan, ja mokemmi milt kuu.", []),
    # a surname with a slip that also reads as a guessed number word ("heikisen" ~ yhdeksän)
    ("saanko puhua heikisen kanssa", ["heikisen"]),
    # first name and surname run into one word; a compound of a name and a word stays
    ("Juhanilaaksonen, ja sähköposti", ["Juhanilaaksonen"]),
    ("tuulikaappi on rikki", []),
])
def test_garbled_names_anywhere(nlp_analyzer, text, expected):
    assert surfaces(text, nlp_analyzer.analyze(text), "PERSON") == expected
