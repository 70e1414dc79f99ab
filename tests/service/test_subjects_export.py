"""The export's pieces without a database: the published JSON Schema, and silencing the other party's audio."""

from __future__ import annotations

import io
import json
import wave

import numpy as np
import pytest

from models.audio import encode_wav
from service.privacy.export import keeping_channels, without_channels
from service.privacy.export_manifest import SCHEMA_FILE, SCHEMA_ID, json_schema, schema_text


def test_committed_json_schema_matches_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "the manifest models changed: regenerate with `python -m service.privacy.export_manifest` and, unless the "
        "change only adds optional fields, bump the schema version")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID
    assert {"schema", "generated_at", "controller", "request", "register", "matching", "calls"} == set(
        schema["required"])
    call = schema["$defs"]["CallOut"]
    assert "agent_id" not in call["properties"], "the agent id is never exported"
    assert {"turns", "entities", "classifications", "retention", "purposes", "data_categories", "sources",
            "audio", "match", "attribution"} <= set(call["required"])
    # Version 2 changed what "withheld" means and added required fields (review #4, #5): not version 1.
    assert SCHEMA_ID == "puheturva.subject-export/2" and SCHEMA_FILE.name == "export_manifest_v2.schema.json"
    assert call["properties"]["match"]["enum"] == ["party", "mention"]
    assert "agent_role" in schema["$defs"]["ProcessingStep"]["required"]
    old = json.loads(SCHEMA_FILE.with_name("export_manifest_v1.schema.json").read_text(encoding="utf-8"))
    assert old["properties"]["schema"]["const"] == "puheturva.subject-export/1", "v1 kept for old exports"


def test_json_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(json_schema())


def _pcm(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())


def test_agent_channel_is_silenced_and_the_customer_kept() -> None:
    t = np.arange(1600) / 16000
    stereo = encode_wav([0.5 * np.sin(2 * np.pi * 300 * t), 0.5 * np.sin(2 * np.pi * 500 * t)])
    out, withheld = without_channels(stereo, {0})
    assert withheld == [0] and out is not None
    pcm = _pcm(out)
    assert pcm.shape == (1600, 2) and not pcm[:, 0].any() and np.abs(pcm[:, 1]).max() > 10000
    same, none = without_channels(stereo, set())
    assert same == stereo and none == []


def test_a_recording_of_the_agent_alone_is_left_out() -> None:
    mono = encode_wav(np.full(800, 0.25, dtype=np.float32))
    assert without_channels(mono, {0}) == (None, [0])
    kept, withheld = without_channels(mono, {1})  # a channel the file does not have
    assert withheld == [] and kept is not None and _pcm(kept).any()


def test_only_the_subjects_own_channel_is_kept() -> None:
    """Review #5: the audio keeps the customer's channel only; a mono mix has none, so it is left out."""
    t = np.arange(1600) / 16000
    stereo = encode_wav([0.5 * np.sin(2 * np.pi * 300 * t), 0.5 * np.sin(2 * np.pi * 500 * t)])
    out, silenced = keeping_channels(stereo, {1})
    assert silenced == [0] and out is not None
    pcm = _pcm(out)
    assert not pcm[:, 0].any() and np.abs(pcm[:, 1]).max() > 10000
    mono = encode_wav(np.full(800, 0.25, dtype=np.float32))
    assert keeping_channels(mono, set()) == (None, [0])
    assert keeping_channels(stereo, set()) == (None, [0, 1]), "no channel of the person's: nothing goes out"
    kept, none = keeping_channels(mono, {0})  # a channel the telephony system says is the customer's alone
    assert none == [] and kept == mono
