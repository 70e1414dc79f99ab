"""A ``Pipeline`` over a scripted transcriber and a regex analyzer: the stage code runs, no model loads.

Two channels: the agent asks for a number, the customer says it. The analyzer finds runs of digits as PHONE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.asr import Segment, Word
from models.audio import DecodedAudio
from models.provenance import ModelInfo
from redaction import Span
from service.pipeline import Pipeline, PipelineOptions

PHONE = "0401234567"
SCRIPT = {  # channel -> its segments: (start, end, words with their times)
    0: [(0.2, 1.2, [("mikä", 0.2, 0.5), ("on", 0.5, 0.7), ("numeronne", 0.7, 1.2)])],
    1: [(1.5, 2.9, [("se", 1.5, 1.7), ("on", 1.7, 1.9), (PHONE, 2.0, 2.8), ("kiitos", 2.8, 2.9)])],
}


class ScriptedTranscriber:
    """Says ``SCRIPT``'s words for the channel it is given (channels are told apart by their length)."""

    model_info = ModelInfo(name="scripted-asr", version="test")

    def __init__(self, script: dict[int, Any] | None = None) -> None:
        self.calls = 0
        self.script = script or SCRIPT

    def transcribe(self, samples: np.ndarray, on_progress: Any = None) -> tuple[list[Segment], None]:
        ch = int(samples[0] > 0)  # channel 1 starts with a positive sample, channel 0 with zero
        self.calls += 1
        segments = [Segment(start=s, end=e, text=" ".join(w for w, _a, _b in words),
                            words=tuple(Word(start=a, end=b, text=w, probability=0.9) for w, a, b in words))
                    for s, e, words in self.script[ch]]
        if on_progress:
            on_progress(3.0, 3.0)
        return segments, None

    def transcribe_channels(self, channels: Any, on_progress: Any = None) -> list[tuple[list[Segment], None]]:
        return [self.transcribe(samples, on_progress) for samples in channels]


class DigitAnalyzer:
    def analyze(self, text: str, word_confidence: Any = None) -> list[Span]:
        return [Span("PHONE", m.start(), m.end(), 0.9, "digits") for m in re.finditer(r"\d{6,}", text)]


@dataclass(frozen=True)
class _Label:
    label: str
    score: float
    method: str


class FixedClassifier:
    model_info = ModelInfo(name="fixed-classifier", version="test")

    def classify(self, text: str) -> list[_Label]:
        return [_Label("laskutus", 0.8123, "test")]

    def pii_categories(self, types: list[str]) -> list[_Label]:
        return [_Label(f"has_{t.lower()}", 1.0, "rule") for t in types]


def stereo_audio() -> DecodedAudio:
    agent = np.zeros(48000, dtype=np.float32)
    customer = np.full(48000, 0.01, dtype=np.float32)
    return DecodedAudio(channels=(agent, customer), duration=3.0, sha256="a" * 64, source_format="wav",
                        source_codec="pcm_s16le", source_sample_rate=16000)


def fake_pipeline(script: dict[int, Any] | None = None, rights_detector: Any = None, **options: Any) -> Pipeline:
    """``script``: the transcriber's words per channel (default ``SCRIPT``); ``rights_detector``: a real
    ``models.rights_requests.RightsDetector`` to run that stage (None: off)."""
    return Pipeline(ScriptedTranscriber(script), DigitAnalyzer(),  # type: ignore[arg-type]
                    ModelInfo(name="digit-analyzer", version="test"), classifier=FixedClassifier(),
                    options=PipelineOptions(**{"self_verify": "off", **options}), rights_detector=rights_detector)
