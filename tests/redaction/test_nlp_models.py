"""models/nlp.py: the real spaCy NER and Voikko lexicon behind the analyzer (no stand-ins)."""

from models.nlp import SpacyNer, VoikkoLexicon, default_analyzer, load_spacy
from redaction import Analyzer


def test_spacy_pipeline_is_ner_only():
    assert load_spacy().pipe_names == ["ner"]


def test_ner_finds_cased_names_with_offsets():
    ner = SpacyNer()
    text = "hyvää päivää Pekka Nieminen soittaa"
    persons = [text[s:e] for s, e, label in ner.entities(text) if label == "PERSON"]
    assert persons == ["Pekka Nieminen"]
    assert ner.model_info.name.endswith("spacy_fi_experimental_web_md")
    assert ner.model_info.settings["components"] == ["ner"]


def test_voikko_lexicon_classes():
    lexicon = VoikkoLexicon.load()
    assert lexicon is not None
    assert lexicon.classes("pekka") == {"etunimi"}
    assert "sukunimi" in lexicon.classes("Leinoselle")
    assert lexicon.classes("pekkäniä") == frozenset()  # unknown word
    assert lexicon.name_class("tiina") == "etunimi"
    assert lexicon.name_class("marja") is None  # also a berry
    assert lexicon.name_class("modeemi") is None
    assert "voikko" in lexicon.model_info.name


def test_default_analyzer_records_its_provenance():
    analyzer, info = default_analyzer()
    assert isinstance(analyzer, Analyzer)
    assert info.settings["score_threshold"] == 0.5
    assert "hetu" in info.settings["recognizers"]
    assert info.settings["ner"]["version"] == "0.15.0"
    assert info.settings["lexicon"] is not None
