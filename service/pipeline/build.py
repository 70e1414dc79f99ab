"""Builds the heavy, process-wide objects (ASR model, NLP, analyzer, classifier, pipeline) once.

Both the CLI and the workers go through here, so a setting (model directory, device, beam size, audio
redaction mode) means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from models.asr import AsrSettings, load_transcriber
from models.classify import CallReasonClassifier
from models.nlp import default_analyzer
from models.rights_requests import RightsDetector
from redaction import OperatorConfig
from service.pipeline.result import PipelineOptions
from service.pipeline.rights import RightsDetectorLike
from service.pipeline.stages import Pipeline
from service.platform.digests import operator_hash_key, provenance_key


@dataclass(frozen=True)
class RuntimeOptions:
    asr_model: str = "default"
    asr_device: Literal["cpu", "cuda", "auto"] = "cpu"
    asr_compute_type: str | None = None
    asr_beam_size: int = 5
    asr_threads: int = 0
    asr_batch_size: int | None = None
    language: str = "fi"
    audio_mode: Literal["tone", "silence"] = "tone"
    pad_ms: int = 200
    raw_digest_key: bytes = field(default=b"", repr=False)
    low_confidence_redaction: bool = True
    low_confidence_threshold: float = 0.5
    self_verify: str = "auto"
    self_verify_budget: float = 0.3
    operators: tuple[tuple[str, str], ...] = ()  # (entity type or DEFAULT, operator name); a tuple: hashable
    operator_hash_key: bytes = field(default=b"", repr=False)
    rights_detection: bool = True


def options_from_settings(settings: object) -> RuntimeOptions:
    """Read the pipeline-relevant fields of ``service.platform.config.Settings`` (kept duck-typed to stay
    import-light)."""
    g = settings.__getattribute__
    return RuntimeOptions(asr_model=g("asr_model"), asr_device=g("asr_device"),
                          asr_compute_type=g("asr_compute_type"), asr_beam_size=g("asr_beam_size"),
                          asr_threads=g("asr_threads"), asr_batch_size=g("asr_batch_size"),
                          language=g("language"),
                          audio_mode=g("audio_redaction"), pad_ms=g("audio_pad_ms"),
                          raw_digest_key=_provenance_key(settings),
                          low_confidence_redaction=g("low_confidence_redaction"),
                          low_confidence_threshold=g("low_confidence_threshold"),
                          self_verify=g("self_verify"), self_verify_budget=g("self_verify_budget"),
                          operators=tuple(sorted(g("operators").items())),
                          operator_hash_key=operator_hash_key(settings),
                          rights_detection=bool(getattr(settings, "rights_detection", True)))


def _provenance_key(settings: Any) -> bytes:
    """A key for text and audio digests, derived from the index key (one secret fewer to manage)."""
    return provenance_key(settings)


def asr_settings(opts: RuntimeOptions) -> AsrSettings:
    return AsrSettings(model=opts.asr_model, device=opts.asr_device, compute_type=opts.asr_compute_type,
                       beam_size=opts.asr_beam_size, cpu_threads=opts.asr_threads, language=opts.language,
                       batch_size=opts.asr_batch_size)


def check_asr_model(settings: object) -> None:
    """Load (and cache) the configured ASR model now; raises ``ModelLoadError`` when it is missing or corrupt.

    A worker that starts with a broken model would take jobs only to fail every one of them; refusing to
    start says what is wrong once, at the right moment. The loaded model is the one jobs reuse.
    """
    load_transcriber(asr_settings(options_from_settings(settings)))


@lru_cache(maxsize=4)
def get_pipeline(opts: RuntimeOptions = RuntimeOptions()) -> Pipeline:
    transcriber = load_transcriber(asr_settings(opts))  # first: seconds to fail on a bad model, not after NLP
    analyzer, analyzer_info = default_analyzer(low_confidence_threshold=opts.low_confidence_threshold)
    return Pipeline(transcriber=transcriber, analyzer=analyzer,
                    analyzer_info=analyzer_info, classifier=CallReasonClassifier(),
                    options=pipeline_options(opts), rights_detector=rights_detector(opts))


def rights_detector(opts: RuntimeOptions) -> RightsDetectorLike | None:
    """The rights-request detector, or None when ``rights_detection`` is off."""
    if not opts.rights_detection:
        return None
    detector: RightsDetectorLike = RightsDetector.from_default()
    return detector


def pipeline_options(opts: RuntimeOptions) -> PipelineOptions:
    """The pipeline's share of the runtime options (the rest configure the models)."""
    return PipelineOptions(audio_mode=opts.audio_mode, pad_s=opts.pad_ms / 1000, raw_digest_key=opts.raw_digest_key,
                           low_confidence_redaction=opts.low_confidence_redaction,
                           self_verify=opts.self_verify, self_verify_budget=opts.self_verify_budget,
                           operators=operator_config(opts))


def operator_config(opts: RuntimeOptions) -> OperatorConfig | None:
    """The operators named in settings (``PUHETURVA_OPERATORS``); None keeps the placeholder for every type."""
    if not opts.operators:
        return None
    return OperatorConfig.from_names(dict(opts.operators), hash_key=opts.operator_hash_key)
