"""End-to-end leak score on what bare Whisper base writes for the held-out espeak-ng clips.

``tests/data/bare_base_asr.jsonl`` is the unredacted ASR of ``/work/shared/dev_audio/*.wav`` and
``dev_audio_clips.tsv`` the gold. The score (``bench/_corpus.py``) re-implements the project-independent
``/work/shared/tools/audio_leak.py`` faithfully: a leak is four or more consecutive gold digits recoverable
from the output's number words, or a word close to a gold name, street or e-mail word; a clean clip must
keep 70 % of its words. ``pipeline_asr_dev.jsonl`` is what ``puheturva process`` itself transcribes for the
same clips (its decoding options differ), i.e. what the end-to-end score redacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._corpus import PIPELINE_ASR, leak_score, read_asr_clips
from redaction import redact

from .conftest import analyze_turn

DATA = Path(__file__).parents[1] / "data"


def _clips() -> list[tuple[str, str, str, str]]:
    return read_asr_clips(DATA)


def _score(outputs: dict[str, str]) -> tuple[list[str], list[str]]:
    return leak_score(_clips(), outputs)


def test_the_scorer_bites_on_unredacted_asr():
    leaked, over = _score({cid: asr for cid, _, _, asr in _clips()})
    assert len(leaked) == 7 and over == []


@pytest.fixture(scope="module")
def redacted(nlp_analyzer) -> dict[str, str]:
    return {cid: redact(asr, nlp_analyzer.analyze(asr)).text for cid, _, _, asr in _clips()}


def test_no_identifier_leaks_from_redacted_bare_asr(redacted):
    leaked, _ = _score(redacted)
    assert leaked == [], {cid: redacted[cid] for cid in leaked}


def test_clean_clips_stay_readable(redacted):
    _, over = _score(redacted)
    assert over == []
    for cid, typ, _, asr in _clips():
        if typ == "NONE":
            assert redacted[cid] == asr  # nothing at all is redacted in a clip without identifiers


def test_every_identifier_clip_with_a_surviving_cue_or_run_is_redacted(redacted):
    # d6 ("Olin, di, ha, la, in, et …") and d7 hold nothing recoverable; every other clip has a redaction.
    for cid, typ, _, _ in _clips():
        if typ != "NONE" and cid not in ("d6", "d7"):
            assert "[" in redacted[cid], cid


@pytest.fixture(scope="module")
def pipeline_clips() -> list[tuple[str, str, str, str]]:
    return read_asr_clips(DATA, PIPELINE_ASR)


def test_the_scorer_bites_on_unredacted_pipeline_asr(pipeline_clips):
    leaked, over = leak_score(pipeline_clips, {cid: asr for cid, _, _, asr in pipeline_clips})
    assert leaked == ["d3", "d4", "d5", "d7", "d8", "d9"] and over == []  # as audio_leak.py --jsonl says


def test_no_identifier_leaks_from_redacted_pipeline_asr(nlp_analyzer, pipeline_clips):
    redacted = {cid: redact(asr, nlp_analyzer.analyze(asr)).text for cid, _, _, asr in pipeline_clips}
    leaked, over = leak_score(pipeline_clips, redacted)
    assert leaked == [], {cid: redacted[cid] for cid in leaked}
    assert over == []
    for cid, typ, _, asr in pipeline_clips:
        if typ == "NONE":
            assert redacted[cid] == asr, cid  # d11, d12: nothing at all is redacted


# What the pipeline transcribes for tests/data/call_stereo.wav (agent, customer alternating) and what each
# turn must be redacted as. Gold: fixtures.json; "Alueella on kaapelivika", "Selvä, kiitos, hei" hold none.
STEREO_CALL_ASR = [
    ("Kui tumen kohhasiakas palvelu, mitten voi hauttaa.", []),
    ("Raja kaista ei toimii, yhteys katskeisi heilen.", []),
    ("Kertoi sitte kronimennen.", []),
    ("Nimeni on maattimintainen.", ["PERSON"]),
    ("Entä henkilö tunnus.", []),
    ("Yksi kolme yksi nolla misi kaksi mima kolme nolla katskei santeen.", ["HETU"]),
    ("Ja puhelin numerom.", []),
    ("Nolla neljä nolla yksi kaksi kolme, neljä misi kuu sisäitsemän.", ["PHONE"]),
    ("Mikä haisen usosoite.", []),
    ("Koi mukia kolme, nolla kaksi yksi kaksi nolla epo.", ["ADDRESS"]),
    ("Alueella ronka pelimika. Kron jous malmistuhu menhää.", []),
    ("Selma, kiitos hei.", []),
]


def test_stereo_call_pipeline_asr_is_redacted_turn_by_turn(nlp_analyzer):
    previous = ""
    for turn, expected in STEREO_CALL_ASR:
        spans = analyze_turn(nlp_analyzer, previous, turn)
        assert [s.type for s in spans] == expected, turn
        previous = turn
    address = "Koi mukia kolme, nolla kaksi yksi kaksi nolla epo."
    (span,) = analyze_turn(nlp_analyzer, "Mikä haisen usosoite.", address)
    assert address[span.start:span.end] == address.rstrip(".")  # street, number, postcode and city: all of it
