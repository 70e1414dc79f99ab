"""The whole ``process`` pipeline vs bare faster-whisper on the same audio and settings, as ratios.

One run measures bare transcription and the pipeline (decode → ASR per channel → detect → redact text and
audio → self-verify → classify) with self-verification ``off``, ``auto`` and ``on``, alternating within
each round after a warm-up. Wall time is the measure; CPU time of this process (all its threads) is
printed beside it because it barely moves when other work shares the machine.

Targets: ``off`` ≤ 1.10 × bare; ``auto`` ≤ 1.3 × bare (its budget, 0.3 by default, caps the audio it
re-transcribes at that share of the recording). ``on`` has no target: it re-transcribes every window.

Batched vs sequential ASR (``--batch-size N``, default 8): both channels decoded by the transcriber one after
the other, and their speech decoded together in batches of N, alternating within each round on the same
loaded model. On a CPU the gain is small; on a GPU batching is where the speed is (``bench/scale.py``).

    .venv/bin/python bench/asr_overhead.py [AUDIO] [--rounds 3] [--batch-size 8] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from faster_whisper import WhisperModel

from models.asr import AsrSettings, Transcriber, load_transcriber, transcribe_kwargs
from models.audio import decode
from models.default_model import assemble
from service.pipeline import Pipeline
from service.pipeline.build import RuntimeOptions, asr_settings, get_pipeline

ROOT = Path(__file__).resolve().parents[1]
MODES = ("off", "auto", "on")
TARGETS = {"off": 1.10, "auto": 1.30}


def bare(model: WhisperModel, channels, kwargs) -> tuple[float, float]:
    """(wall, CPU) seconds to transcribe every channel."""
    t, c = time.perf_counter(), time.process_time()
    for ch in channels:
        segments, _ = model.transcribe(ch, **kwargs)
        for _ in segments:  # decoding is lazy
            pass
    return time.perf_counter() - t, time.process_time() - c


def channels_together(transcriber: Transcriber, channels) -> tuple[float, float]:
    """(wall, CPU) seconds for ``transcribe_channels``: sequential or batched, as the transcriber is set."""
    t, c = time.perf_counter(), time.process_time()
    transcriber.transcribe_channels(channels)
    return time.perf_counter() - t, time.process_time() - c


def full(pipeline: Pipeline, path: Path) -> tuple[tuple[float, float], str]:
    """(wall, CPU) seconds for one ``process`` (decoding included) and the self-verification verdict."""
    t, c = time.perf_counter(), time.process_time()
    result = pipeline.process(decode(path), None)
    seconds = time.perf_counter() - t, time.process_time() - c
    return seconds, result.self_verify.verdict if result.self_verify else "off"


def variants(opts: RuntimeOptions) -> dict[str, Pipeline]:
    """One pipeline per self-verify mode, sharing the loaded models."""
    base = get_pipeline(opts)
    return {mode: Pipeline(base.transcriber, base.analyzer, base.analyzer_info, base.classifier,
                           dataclasses.replace(base.options, self_verify=mode))
            for mode in MODES}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("audio", nargs="?", default=str(ROOT / "tests/data/call_stereo.wav"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=8, help="batch size of the batched side")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--model", default="default", help="'default' or a CTranslate2 model directory")
    args = ap.parse_args()
    path = Path(args.audio)
    opts = RuntimeOptions(asr_device=args.device, asr_model=args.model, asr_batch_size=0)
    settings = asr_settings(opts)
    pipelines = variants(opts)
    # The bare side gets the very same CTranslate2 model object and decoding options as the pipeline.
    model = load_transcriber(settings)._model
    kwargs = transcribe_kwargs(settings)
    audio = decode(path)
    sequential = load_transcriber(settings)
    batched = load_transcriber(dataclasses.replace(settings, batch_size=args.batch_size))
    bare(model, audio.channels, kwargs)  # warm-up: model pages, spaCy, Voikko caches
    channels_together(batched, audio.channels)
    for p in pipelines.values():
        full(p, path)
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "sequential": [], "batched": [],
                                                   **{m: [] for m in MODES}}
    verdicts: dict[str, str] = {}
    for _ in range(args.rounds):
        times["bare"].append(bare(model, audio.channels, kwargs))
        times["sequential"].append(channels_together(sequential, audio.channels))
        times["batched"].append(channels_together(batched, audio.channels))
        for mode, p in pipelines.items():
            seconds, verdicts[mode] = full(p, path)
            times[mode].append(seconds)
    report(path, audio, times, verdicts, args.rounds, opts)
    report_batched(audio, times, args.batch_size, settings)


def report_batched(audio, times: dict[str, list[tuple[float, float]]], batch_size: int,
                   settings: AsrSettings) -> None:
    audio_s = audio.duration * audio.n_channels
    ws, cs = (statistics.median(x[i] for x in times["sequential"]) for i in (0, 1))
    wb, cb = (statistics.median(x[i] for x in times["batched"]) for i in (0, 1))
    print(f"ASR sequential ({settings.device})  : median {ws:6.2f} s wall ({audio_s / ws:5.1f}x real time), "
          f"{cs:6.2f} s CPU")
    print(f"ASR batched, batch {batch_size:<3}    : median {wb:6.2f} s wall ({audio_s / wb:5.1f}x real time), "
          f"{cb:6.2f} s CPU; batched/sequential wall {wb / ws:.3f}, CPU {cb / cs:.3f}")


def report(path: Path, audio, times: dict[str, list[tuple[float, float]]], verdicts: dict[str, str],
           rounds: int, opts: RuntimeOptions) -> None:
    audio_s = audio.duration * audio.n_channels
    wb, cb = (statistics.median(x[i] for x in times["bare"]) for i in (0, 1))
    print(f"audio: {path.name}, {audio.duration:.1f} s x {audio.n_channels} channel(s); assembled model at "
          f"{assemble()}; rounds={rounds}; self-verify budget {opts.self_verify_budget}")
    print(f"bare faster-whisper      : median {wb:6.2f} s wall ({audio_s / wb:4.1f}x real time), {cb:6.2f} s CPU")
    for mode in MODES:
        w, c = (statistics.median(x[i] for x in times[mode]) for i in (0, 1))
        target = f"target <= {TARGETS[mode]:.2f}" if mode in TARGETS else "no target"
        print(f"pipeline self-verify {mode:<4}: median {w:6.2f} s wall, ratio {w / wb:.3f} ({target}); "
              f"{c:6.2f} s CPU, ratio {c / cb:.3f}; verdict {verdicts[mode]}")


if __name__ == "__main__":
    main()
