"""Batched ASR: the speech of every channel decoded together, and each word brought back to its own channel.

What is asserted holds on any CPU: which channel a word lands on, and where on that channel's timeline, not
which words int8 decoding produces.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from models.asr import SAMPLE_RATE, AsrSettings, _BatchLayout, _Raw, _RawWord, load_transcriber


def _S(start: float, end: float, text: str, words: tuple[_RawWord, ...]) -> _Raw:
    """A decoded segment as faster-whisper's batched pipeline yields it (the shape ``_BatchLayout.restore`` reads)."""
    return _Raw(start, end, text, words, avg_logprob=0.0, no_speech_prob=0.0)


def _W(start: float, end: float, word: str) -> _RawWord:
    return _RawWord(start, end, word, 0.9)


def test_layout_maps_batched_times_back_to_each_channel() -> None:
    """Without VAD, each channel is cut into 30 s windows laid end to end: a word decoded in the second
    channel's first window at batched time 45 s is at 5 s on that channel."""
    a = np.zeros(40 * SAMPLE_RATE, dtype=np.float32)  # windows [0, 30) and [30, 40) of channel 0
    b = np.zeros(12 * SAMPLE_RATE, dtype=np.float32)  # channel 1 starts at batched 40 s
    layout = _BatchLayout.of([a, b], vad=None)
    assert [(c.channel, c.start, c.duration) for c in layout.chunks] == [(0, 0.0, 30.0), (0, 30.0, 10.0),
                                                                          (1, 40.0, 12.0)]
    assert layout.seconds == pytest.approx(52.0)
    ch, seg = layout.restore(_S(45.0, 46.0, "sana", (_W(45.0, 45.4, "sana"),)))
    assert ch == 1 and seg.words[0].start == pytest.approx(5.0) and seg.words[0].end == pytest.approx(5.4)
    ch, seg = layout.restore(_S(31.0, 32.5, "toinen", (_W(31.0, 32.5, "toinen"),)))
    assert ch == 0 and (seg.start, seg.end) == (pytest.approx(31.0), pytest.approx(32.5))


@pytest.mark.slow
def test_a_channel_delayed_by_silence_comes_back_shifted_on_its_own_timeline(call_audio) -> None:
    """Channel 0 of the sample call, and the same speech after 20 s of silence, decoded in one batch: VAD cuts
    the silence out before decoding, so the words of the second must come back 20 s later, on channel 1."""
    asr = load_transcriber(AsrSettings(device="cpu", batch_size=8))
    speech = call_audio.channels[0]
    delayed = np.concatenate([np.zeros(20 * SAMPLE_RATE, dtype=np.float32), speech])
    (first, info0), (second, info1) = asr.transcribe_channels([speech, delayed])
    words0 = [w for s in first for w in s.words]
    words1 = [w for s in second for w in s.words]
    assert words0 and words1
    assert all(0.0 <= w.start <= w.end <= info0.duration for w in words0)
    assert all(20.0 - 0.5 <= w.start <= w.end <= info1.duration for w in words1), "a word left its channel"
    assert info1.duration_after_vad == pytest.approx(info0.duration_after_vad, abs=0.5)
    # The same audio decoded twice in one batch: match words by text and compare their times.
    by_text = {}
    for w in words0:
        by_text.setdefault(re.sub(r"\W", "", w.text.lower()), w.start)
    shifts = [w.start - by_text[k] for w in words1 if (k := re.sub(r"\W", "", w.text.lower())) in by_text]
    assert len(shifts) >= 0.5 * len(words1), (len(shifts), len(words1))
    assert np.median(shifts) == pytest.approx(20.0, abs=0.5)


@pytest.mark.slow
def test_batched_mode_is_in_the_provenance_and_sequential_is_the_cpu_default() -> None:
    batched = load_transcriber(AsrSettings(device="cpu", batch_size=4))
    assert batched.model_info.settings["batched"]["batch_size"] == 4
    assert batched.model_info.settings["batched"]["condition_on_previous_text"] is False
    default = load_transcriber(AsrSettings(device="cpu"))
    assert default.batch_size == 0 and default.model_info.settings["batched"] is None


def test_a_negative_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        AsrSettings(batch_size=-1)
