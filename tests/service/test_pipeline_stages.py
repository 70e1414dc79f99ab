"""``Pipeline.process`` alone: the stages, their order, the frozen result and its documents (no ASR model)."""

from __future__ import annotations

import dataclasses

import pytest

from service.pipeline import Classification, ProcessResult, RedactedWord, Stage
from tests.service.fake_pipeline import PHONE, fake_pipeline, stereo_audio


@pytest.fixture(scope="module")
def run() -> tuple[ProcessResult, list[Stage]]:
    stages: list[Stage] = []
    result = fake_pipeline().process(stereo_audio(), on_stage=stages.append)
    return result, stages


def test_stages_are_reported_in_order(run: tuple[ProcessResult, list[Stage]]) -> None:
    _result, stages = run
    assert stages == [Stage.TRANSCRIBING, Stage.REDACTING, Stage.VERIFYING, Stage.CLASSIFYING]


def test_turns_are_redacted_and_words_point_into_the_redacted_text(run: tuple[ProcessResult, list[Stage]]) -> None:
    result, _stages = run
    assert [(t.speaker, t.channel) for t in result.turns] == [("agent", 0), ("customer", 1)]
    agent, customer = result.turns
    assert agent.text == "mikä on numeronne" and PHONE not in customer.text
    assert result.detected_values() == [("PHONE", PHONE)]
    redacted = [w for w in customer.words if w.redacted]
    assert len(redacted) == 1 and isinstance(redacted[0], RedactedWord)
    word = redacted[0]
    assert customer.text[word.char_start:word.char_end] == word.text and (word.start, word.end) == (2.0, 2.8)
    assert word.to_dict() == {"start": 2.0, "end": 2.8, "text": word.text, "char_start": word.char_start,
                              "char_end": word.char_end, "redacted": True}
    heard = customer.words[-1]
    assert customer.text[heard.char_start:heard.char_end] == "kiitos"
    assert heard.to_dict()["p"] == 0.9 and "redacted" not in heard.to_dict()
    (entity,) = result.entities
    assert (entity.turn, entity.type, entity.t_start, entity.t_end) == (1, "PHONE", 2.0, 2.8)
    assert customer.text[entity.start:entity.end] == word.text


def test_audio_ranges_classifications_and_provenance(run: tuple[ProcessResult, list[Stage]]) -> None:
    result, _stages = run
    assert result.redacted_ranges == [(pytest.approx(1.8), pytest.approx(3.0))]  # the word, padded by 0.2 s
    assert result.redacted_audio_wav[:4] == b"RIFF" and result.self_verify is None
    assert result.classifications == (Classification("call_reason", "laskutus", 0.812, "test"),
                                      Classification("pii_category", "has_phone", 1.0, "rule"))
    assert [a.stage for a in result.provenance] == ["transcribe:channel0", "transcribe:channel1",
                                                     "detect_and_redact_text", "redact_audio", "classify",
                                                     "conversation_analytics"]
    doc = result.transcript_json()
    assert doc["classifications"][0] == {"kind": "call_reason", "label": "laskutus", "score": 0.812,
                                         "method": "test"}
    assert doc["segments"][1]["words"] == [w.to_dict() for w in result.turns[1].words]
    assert PHONE not in str(doc)


def test_the_result_is_frozen(run: tuple[ProcessResult, list[Stage]]) -> None:
    result, _stages = run
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.classifications = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.turns[0].words[0].text = "x"  # type: ignore[misc]
