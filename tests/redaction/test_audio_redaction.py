"""Audio redaction: exact sample ranges, untouched surroundings, and spoken digits that really disappear."""

from __future__ import annotations

import difflib
import itertools
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redaction.audio import TimedWord, merge_ranges, redact_samples, time_ranges
from redaction.types import Span

SR = 16000
FADE = int(0.005 * SR)


def words_of(*tokens: tuple[str, float, float], channel: int = 0) -> tuple[str, list[TimedWord]]:
    """Build a transcript and its TimedWords the way a caller does: words joined by single spaces."""
    text, words = "", []
    for token, start, end in tokens:
        if text:
            text += " "
        words.append(TimedWord(token, start, end, len(text), len(text) + len(token), channel))
        text += token
    return text, words


def span(text: str, needle: str) -> Span:
    i = text.index(needle)
    return Span("PHONE", i, i + len(needle), 1.0, "test")


def test_each_overlapping_word_is_padded_clipped_and_merged() -> None:
    text, words = words_of(("numero", 0.1, 0.6), ("nolla", 0.7, 1.0), ("neljä", 1.1, 1.5),
                           ("kiitos", 3.0, 3.4))
    assert time_ranges([span(text, "nolla neljä")], words) == [pytest.approx((0.5, 1.7))]
    assert time_ranges([span(text, "numero")], words) == [pytest.approx((0.0, 0.8))]  # clipped at 0
    assert time_ranges([span(text, "kiitos")], words, duration=3.5) == [pytest.approx((2.8, 3.5))]
    # a span touching only part of a word still takes the whole word
    assert time_ranges([span(text, "lla")], words, pad=0.0) == [(0.7, 1.0)]
    both = time_ranges([span(text, "nolla"), span(text, "kiitos")], words, pad=0.1)
    assert both == [pytest.approx((0.6, 1.1)), pytest.approx((2.9, 3.5))]
    assert time_ranges([], words) == []


def test_channel_filter_keeps_other_speakers_words_out() -> None:
    text, agent = words_of(("nolla", 1.0, 1.4), channel=0)
    _, customer = words_of(("nolla", 5.0, 5.4), channel=1)
    spans = [span(text, "nolla")]
    assert time_ranges(spans, agent + customer, pad=0.0, channel=1) == [(5.0, 5.4)]
    assert time_ranges(spans, agent + customer, pad=0.0) == [(1.0, 1.4), (5.0, 5.4)]


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 5)), max_size=30))
def test_merged_ranges_are_sorted_disjoint_and_cover_the_input(pairs: list[tuple[float, float]]) -> None:
    ranges = [(s, s + d) for s, d in pairs]
    merged = merge_ranges(ranges)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(merged))
    assert all(any(m0 <= s and e <= m1 for m0, m1 in merged) for s, e in ranges)


@pytest.mark.parametrize("mode", ["tone", "silence"])
def test_exactly_the_ranges_change_and_the_rest_is_bit_identical(mode: str) -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(-0.5, 0.5, 3 * SR).astype(np.float32)
    original = x.copy()
    ranges = [(0.5, 0.9), (2.0, 2.25)]
    y = redact_samples(x, SR, ranges, mode=mode, tone_hz=1000.0, level=0.2)
    assert np.array_equal(x, original), "input untouched"
    assert y.dtype == x.dtype and y.shape == x.shape
    changed = np.zeros(len(x), dtype=bool)
    for start, end in ranges:
        i, j = int(np.floor(start * SR)), int(np.ceil(end * SR))
        changed[i:j] = True
        inner = np.arange(i + FADE, j - FADE)
        expected = 0.2 * np.sin(2 * np.pi * 1000.0 * inner / SR) if mode == "tone" else np.zeros(len(inner))
        assert np.allclose(y[inner], expected, atol=1e-6)
    assert np.array_equal(y[~changed], x[~changed])


def test_edges_fade_instead_of_clicking() -> None:
    x = np.full(SR, 0.5, dtype=np.float32)  # a DC level: a hard cut to silence would jump by 0.5
    y = redact_samples(x, SR, [(0.25, 0.75)], mode="silence")
    assert np.abs(np.diff(y)).max() <= 0.5 / FADE * 1.01
    assert y[int(0.5 * SR)] == 0.0


def test_every_channel_of_a_stereo_array_is_redacted() -> None:
    x = np.ones((2, SR), dtype=np.float32) * 0.3
    y = redact_samples(x, SR, [(0.4, 0.6)], mode="silence")
    assert np.all(y[:, int(0.5 * SR)] == 0.0) and np.all(y[:, :int(0.4 * SR)] == x[:, :int(0.4 * SR)])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        redact_samples(np.zeros(10, dtype=np.float32), SR, [], mode="bleep")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="float"):
        redact_samples(np.zeros(10, dtype=np.int16), SR, [])


# --- end to end with the real model ------------------------------------------------------------------
DIGITS = ["nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan", "yhdeksän"]


def norm(token: str) -> str:
    return re.sub(r"\W", "", token.lower())


def is_number_word(token: str) -> bool:
    """Digits or anything near a Finnish digit word: Whisper base writes "nolra", "misi", "kuu si"."""
    t = norm(token)
    return bool(t) and (any(c.isdigit() for c in t)
                        or max(difflib.SequenceMatcher(None, t, d).ratio() for d in DIGITS) >= 0.6)


@pytest.mark.slow
def test_redacted_phone_number_is_gone_from_a_second_transcription(
    asr, call_audio, call_transcripts, fixtures_meta
) -> None:
    turn = next(t for t in fixtures_meta["call_stereo.wav"]["turns"]
                if any(i["type"] == "PHONE" for i in t["identifiers"]))
    ch = turn["channel"]
    asr_words = [w for s in call_transcripts[ch][0] for w in s.words]
    _, words = words_of(*((w.text, w.start, w.end) for w in asr_words), channel=ch)

    def in_turn(w) -> bool:
        return turn["start"] <= (w.start + w.end) / 2 <= turn["end"]

    spans = [Span("PHONE", w.char_start, w.char_end, 1.0, "test") for w in words
             if in_turn(w) and is_number_word(w.text)]
    assert len(spans) >= 7, "the model heard the phone number's digits in the first place"
    ranges = time_ranges(spans, words, duration=call_audio.duration, channel=ch)

    redacted = redact_samples(call_audio.channels[ch], SR, ranges, mode="tone")
    again = [w for s in asr.transcribe(redacted)[0] for w in s.words]

    assert not [w.text for w in again if in_turn(w) and is_number_word(w.text)]
    kept_before = [norm(w.text) for w in asr_words if not in_turn(w)]
    kept_after = [norm(w.text) for w in again]
    survived = [t for t in kept_before if any(difflib.SequenceMatcher(None, t, a).ratio() >= 0.75
                                              for a in kept_after)]
    assert len(survived) >= 0.7 * len(kept_before), (len(survived), len(kept_before))
    # the hetu digits, spoken in another turn and not redacted here, are still heard
    assert sum(is_number_word(w.text) for w in again) >= 5
