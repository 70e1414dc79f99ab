"""The real default model on real (synthetic) Finnish speech: words, timing, provenance."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re

import numpy as np
import pytest
from faster_whisper import __version__ as fw_version

from models.asr import AsrSettings, load_transcriber
from models.audio import decode
from models.default_model import WEIGHTS_SHA256

pytestmark = pytest.mark.slow


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def close(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def test_finnish_words_come_out_of_each_channel(call_transcripts, fixtures_meta) -> None:
    """Whisper base on espeak-ng is rough (CER ~12%): ask for many words, fuzzily, not an exact transcript.

    Measured here: 32/42 customer words and 10/20 agent words (the agent's lines are shorter and harder).
    """
    total_found = total_said = 0
    for ch, (segments, info) in call_transcripts.items():
        heard = [w for s in segments for w in tokens(s.text)]
        said = [w for t in fixtures_meta["call_stereo.wav"]["turns"] if t["channel"] == ch
                for w in tokens(t["text"])]
        found = [w for w in said if any(close(w, h) for h in heard)]
        assert info.language == "fi"
        assert len(found) >= 0.3 * len(said), (ch, len(found), len(said))
        total_found, total_said = total_found + len(found), total_said + len(said)
    assert total_found >= 0.55 * total_said
    customer = " ".join(s.text for s in call_transcripts[1][0]).lower()
    assert "nolla" in customer and "kiitos" in customer


def test_word_times_are_monotonic_and_inside_the_audio(call_transcripts, call_audio) -> None:
    for segments, info in call_transcripts.values():
        words = [w for s in segments for w in s.words]
        assert words and info.duration == pytest.approx(call_audio.duration)
        starts = [w.start for w in words]
        assert starts == sorted(starts)
        assert all(0.0 <= w.start <= w.end <= call_audio.duration for w in words)
        assert all(s.start <= s.words[0].start and s.words[-1].end <= s.end + 1e-6
                   for s in segments if s.words)
        assert all(w.text == w.text.strip() and w.text for w in words)


def test_words_land_in_their_own_speakers_turns(call_transcripts, fixtures_meta) -> None:
    """Each channel is transcribed over the whole call, so its words sit where that speaker talked."""
    turns = fixtures_meta["call_stereo.wav"]["turns"]
    for ch, (segments, _info) in call_transcripts.items():
        own = [(t["start"] - 0.5, t["end"] + 0.5) for t in turns if t["channel"] == ch]
        for w in (w for s in segments for w in s.words):
            mid = (w.start + w.end) / 2
            assert any(a <= mid <= b for a, b in own), (ch, round(mid, 2))


def test_offset_shifts_times_and_progress_is_reported(asr, data_dir) -> None:
    audio = decode(data_dir / "name.wav")
    seen: list[tuple[float, float]] = []
    segments, info = asr.transcribe(audio.channels[0], offset=100.0,
                                    on_progress=lambda done, total: seen.append((done, total)))
    words = [w for s in segments for w in s.words]
    assert words and all(100.0 <= w.start <= w.end <= 100.0 + audio.duration for w in words)
    assert info.offset == 100.0 and info.processing_seconds > 0
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (audio.duration, audio.duration)
    assert {t for _, t in seen} == {audio.duration}


def test_model_info_names_weights_versions_and_every_option(asr) -> None:
    info = asr.model_info
    assert info.sha256 == WEIGHTS_SHA256 and info.kind == "model"
    assert f"faster-whisper {fw_version}" in info.version and "ctranslate2" in info.version
    decoding = info.settings["decoding"]
    assert decoding["language"] == "fi" and decoding["beam_size"] == 5
    assert decoding["word_timestamps"] is True and decoding["vad_filter"] is True
    assert decoding["initial_prompt"] is None and decoding["hotwords"] is None
    assert decoding["temperature"] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert decoding["vad_parameters"]["min_silence_duration_ms"] == 2000
    assert "compression_ratio_threshold" in decoding and "no_speech_threshold" in decoding
    assert info.settings["compute_type"] in ("int8", "float16")
    json.dumps(dataclasses.asdict(info), allow_nan=False)  # stored as JSON as it is


def test_transcriber_is_loaded_once_per_settings(asr) -> None:
    assert load_transcriber() is asr
    assert load_transcriber(AsrSettings()) is asr


def test_input_shape_is_checked_and_silence_gives_nothing(asr) -> None:
    with pytest.raises(ValueError, match="one channel"):
        asr.transcribe(np.zeros((2, 16000), dtype=np.float32))
    with pytest.raises(ValueError, match="float"):
        asr.transcribe(np.zeros(16000, dtype=np.int16))
    segments, info = asr.transcribe(np.zeros(0, dtype=np.float32))
    assert segments == [] and info.duration == 0.0
    segments, info = asr.transcribe(np.zeros(3 * 16000, dtype=np.float32))
    assert segments == [] and info.duration_after_vad == 0.0
