"""The GPU path: ``PUHETURVA_ASR_DEVICE=cuda`` with float16 and batched decoding, on any CTranslate2 Whisper.

Runs only where CTranslate2 sees a CUDA device; elsewhere it is skipped with the reason. The model is the
embedded base unless ``PUHETURVA_TEST_ASR_MODEL_DIR`` names another CTranslate2 directory (large-v3,
large-v3-turbo, ...), so the same test covers the large models on a machine that has them.
"""

from __future__ import annotations

import os

import ctranslate2
import pytest

from models.asr import CUDA_BATCH_SIZE, AsrSettings, load_transcriber
from service.pipeline.build import RuntimeOptions, asr_settings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(ctranslate2.get_cuda_device_count() == 0,
                                                   reason="no CUDA device visible to CTranslate2")]

MODEL = os.environ.get("PUHETURVA_TEST_ASR_MODEL_DIR", "default")


def test_cuda_runs_float16_batched_and_says_so(call_audio) -> None:
    asr = load_transcriber(AsrSettings(model=MODEL, device="cuda"))
    info = asr.model_info.settings
    assert info["device"] == "cuda" and info["compute_type"] == "float16"
    assert asr.batch_size == CUDA_BATCH_SIZE and info["batched"]["batch_size"] == CUDA_BATCH_SIZE
    assert info["runtime"]["device"] == "cuda"
    results = asr.transcribe_channels(call_audio.channels)
    assert len(results) == call_audio.n_channels
    for segments, transcript in results:
        words = [w for s in segments for w in s.words]
        assert words, "every channel of the sample call has speech"
        assert all(0.0 <= w.start <= w.end <= transcript.duration for w in words)
        assert [w.start for w in words] == sorted(w.start for w in words)


def test_the_settings_reach_the_gpu_transcriber() -> None:
    settings = asr_settings(RuntimeOptions(asr_model=MODEL, asr_device="cuda", asr_batch_size=4))
    assert (settings.device, settings.batch_size) == ("cuda", 4)
    assert load_transcriber(settings).model_info.settings["batched"]["batch_size"] == 4
