"""The call's timeline picture, computed on the server from the *redacted* audio: one lane per channel with
peak bars, speaker turns as coloured bands and redacted ranges shaded. Drawn as inline SVG by the template,
so the page needs no canvas code, works under a strict CSP and prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.calls.document import TurnView

WIDTH = 1000  # SVG user units; the picture scales to the column
LANE_HEIGHT = 56
AXIS_HEIGHT = 16


@dataclass(frozen=True)
class Lane:
    y: float
    height: float
    path: str  # peak bars as one SVG path
    speaker: str


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    y: float
    height: float
    speaker: str
    turn: int


@dataclass(frozen=True)
class Waveform:
    width: int
    height: int
    duration: float
    lanes: list[Lane]
    bands: list[Band]
    redactions: list[tuple[float, float]]  # (x, width)
    ticks: list[tuple[float, str]]  # (x, label)


def peaks(samples: np.ndarray, bins: int) -> np.ndarray:
    """The largest absolute sample in each of ``bins`` equal slices (zeros past the end of short audio)."""
    n = len(samples)
    if n == 0:
        return np.zeros(bins)
    if n < bins:
        return np.pad(np.abs(samples).astype(float), (0, bins - n))
    starts = np.linspace(0, n, bins + 1).astype(int)[:-1]
    return np.maximum.reduceat(np.abs(samples), starts).astype(float)


def _bars(values: np.ndarray, y: float, height: float) -> str:
    mid, half = y + height / 2, height / 2 - 2
    step = WIDTH / len(values)
    return "".join(f"M{(i + 0.5) * step:.1f} {mid - max(v, 0.01) * half:.1f}V{mid + max(v, 0.01) * half:.1f}"
                   for i, v in enumerate(values))


def _ticks(duration: float) -> list[tuple[float, str]]:
    step = next((s for s in (5, 10, 30, 60, 120, 300) if duration / s <= 10), 600)
    return [(t / duration * WIDTH, f"{int(t) // 60}:{int(t) % 60:02d}")
            for t in range(0, int(duration) + 1, step)] if duration > 0 else []


def build_waveform(channels: Sequence[np.ndarray], sample_rate: int, turns: Sequence[TurnView],
                   redacted: list[tuple[float, float]], speakers: dict[int, str]) -> Waveform:
    """Lanes for ``channels`` (speaker names from ``speakers``), bands for ``turns``, shaded ``redacted``."""
    duration = max((len(c) for c in channels), default=0) / sample_rate
    raw = [peaks(c, WIDTH // 2) for c in channels]
    top = max((float(p.max()) for p in raw if p.size), default=0.0) or 1.0
    lanes = [Lane(y=i * LANE_HEIGHT, height=LANE_HEIGHT, path=_bars(p / top, i * LANE_HEIGHT, LANE_HEIGHT),
                  speaker=speakers.get(i, "unknown")) for i, p in enumerate(raw)]
    scale = WIDTH / duration if duration else 0.0

    def lane_of(t: TurnView) -> tuple[float, float]:
        ch = t.channel
        if len(lanes) > 1 and ch < len(lanes):
            return lanes[ch].y, LANE_HEIGHT
        return 0.0, LANE_HEIGHT * max(1, len(lanes))

    bands = []
    for t in turns:
        y, h = lane_of(t)
        width = max(1.0, (t.end - t.start) * scale)
        bands.append(Band(x=t.start * scale, width=width, y=y, height=h, speaker=t.speaker, turn=t.turn))
    shaded = [(a * scale, max(1.0, (b - a) * scale)) for a, b in redacted]
    height = LANE_HEIGHT * max(1, len(lanes)) + AXIS_HEIGHT
    return Waveform(width=WIDTH, height=height, duration=duration, lanes=lanes, bands=bands,
                    redactions=shaded, ticks=_ticks(duration))
