"""The whole ``process`` pipeline vs bare faster-whisper on the same audio and settings, as a ratio.

Target: the pipeline (decode → ASR per channel → detect → redact text and audio → classify) costs at most
1.10 × bare transcription. Both sides are measured in this one run, alternating, after a warm-up.

    .venv/bin/python bench/asr_overhead.py [AUDIO] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from faster_whisper import WhisperModel

from models.asr import load_transcriber, transcribe_kwargs
from models.audio import decode
from models.default_model import assemble
from service.runtime import RuntimeOptions, asr_settings, get_pipeline

ROOT = Path(__file__).resolve().parents[1]


def bare(model: WhisperModel, channels, kwargs) -> float:
    t = time.perf_counter()
    for ch in channels:
        segments, _ = model.transcribe(ch, **kwargs)
        for _ in segments:  # decoding is lazy
            pass
    return time.perf_counter() - t


def full(pipeline, path: Path) -> float:
    t = time.perf_counter()
    pipeline.process(decode(path), None)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("audio", nargs="?", default=str(ROOT / "tests/data/call_stereo.wav"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    path = Path(args.audio)
    opts = RuntimeOptions()
    settings = asr_settings(opts)
    pipeline = get_pipeline(opts)
    # The bare side gets the very same CTranslate2 model object and decoding options as the pipeline.
    model = load_transcriber(settings)._model
    kwargs = transcribe_kwargs(settings)
    audio = decode(path)
    bare(model, audio.channels, kwargs), full(pipeline, path)  # warm-up: model pages, spaCy, Voikko caches
    b, f = [], []
    for _ in range(args.rounds):
        b.append(bare(model, audio.channels, kwargs))
        f.append(full(pipeline, path))
    mb, mf = statistics.median(b), statistics.median(f)
    print(f"audio: {path.name}, {audio.duration:.1f} s x {audio.n_channels} channel(s); assembled model at "
          f"{assemble()}")
    print(f"bare faster-whisper : median {mb:6.2f} s  ({audio.duration * audio.n_channels / mb:4.1f}x real time)")
    print(f"puheturva pipeline  : median {mf:6.2f} s  ({audio.duration * audio.n_channels / mf:4.1f}x real time)")
    print(f"pipeline / bare     : {mf / mb:.3f}  (target <= 1.10; rounds={args.rounds})")


if __name__ == "__main__":
    main()
