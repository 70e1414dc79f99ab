"""Audio redaction: turn text spans into time ranges via word timestamps, then bleep or silence them.

Pure numpy on purpose: it takes word times from whatever recogniser the caller used and never loads a
model. Ranges are padded (200 ms by default) because Whisper's word boundaries are only roughly right —
a clipped first or last phoneme of a digit is enough to recover it by ear. Edges are faded over a few
milliseconds *inside* the range, so the replacement does not click and audio outside the range is left
bit-identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

FADE_SECONDS = 0.005


@dataclass(frozen=True)
class TimedWord:
    """A transcript word: where it sits in the text (``char_start:char_end``) and in the audio (seconds).

    ``probability`` is the recogniser's word probability (0..1), None when it gave none.
    """

    text: str
    start: float
    end: float
    char_start: int
    char_end: int
    channel: int = 0
    probability: float | None = None


class _CharSpan(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class _Timed(Protocol):
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...


def time_ranges(spans: Iterable[_CharSpan], words: Iterable[_Timed], *, pad: float = 0.2,
                duration: float | None = None, channel: int | None = None) -> list[tuple[float, float]]:
    """Time ranges (seconds, sorted, non-overlapping) covering every word that overlaps a span.

    Each overlapping word contributes ``[start - pad, end + pad]``, clipped to ``[0, duration]``;
    touching or overlapping ranges are merged. With ``channel`` set, only words carrying that
    ``channel`` attribute count (words without one are taken as channel 0).
    """
    char_spans = sorted((s.start, s.end) for s in spans)
    raw = []
    for w in words:
        if channel is not None and getattr(w, "channel", 0) != channel:
            continue
        if any(s < w.char_end and w.char_start < e for s, e in char_spans):
            start = max(0.0, w.start - pad)
            end = w.end + pad if duration is None else min(duration, w.end + pad)
            if end > start:
                raw.append((start, end))
    return merge_ranges(raw)


def merge_ranges(ranges: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def sample_bounds(start: float, end: float, sr: int, n: int) -> tuple[int, int]:
    """Sample indices ``[i, j)`` covering ``[start, end]`` seconds, rounded outwards, clipped to ``n``."""
    return max(0, int(np.floor(start * sr))), min(n, int(np.ceil(end * sr)))


def redact_samples(samples: np.ndarray, sr: int, ranges: Sequence[tuple[float, float]], *,
                   mode: Literal["tone", "silence"] = "tone", tone_hz: float = 1000.0, level: float = 0.2,
                   fade: float = FADE_SECONDS) -> np.ndarray:
    """Return a copy of ``samples`` with each range replaced by a tone or silence.

    ``samples`` is float, shaped (n,) or (channels, n); every channel is redacted over the same ranges.
    The tone's phase follows absolute time, so adjacent ranges join without a jump.
    """
    if mode not in ("tone", "silence"):
        raise ValueError("mode must be 'tone' or 'silence'")
    if not np.issubdtype(samples.dtype, np.floating):
        raise ValueError("expected float samples in [-1, 1]")
    out = samples.copy()
    n = samples.shape[-1]
    fade_n = max(1, int(fade * sr))
    for start, end in ranges:
        i, j = sample_bounds(start, end, sr, n)
        if j <= i:
            continue
        t = np.arange(i, j) / sr
        fill = level * np.sin(2 * np.pi * tone_hz * t) if mode == "tone" else np.zeros(j - i)
        # crossfade weight: 0 at the very edges (original), 1 inside (replacement); fades stay in range
        k = min(fade_n, (j - i) // 2)
        weight = np.ones(j - i)
        if k:
            ramp = np.linspace(0.0, 1.0, k, endpoint=False)
            weight[:k], weight[j - i - k:] = ramp, ramp[::-1]
        orig = samples[..., i:j]
        out[..., i:j] = (orig * (1.0 - weight) + fill * weight).astype(samples.dtype)
    return out
