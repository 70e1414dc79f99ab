"""Shared fixtures: the committed audio, its gold annotations, and one real ASR model per test session.

The model is the product's default (embedded Whisper base, assembled into ``$PUHETURVA_MODEL_DIR`` or the
user cache on first use) loaded once; ASR is the slow part of the suite, so transcripts of the stereo call
are computed once and shared too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


def pytest_report_header(config: pytest.Config) -> str:
    """Name the CPU kernels the ASR will run with: its transcripts (and so some results) differ between them."""
    from models.cpu_isa import UnsupportedCpuIsa, cpu_runtime, read_cpuinfo

    try:
        rt = cpu_runtime(read_cpuinfo(), os.environ)
    except UnsupportedCpuIsa as exc:
        return f"ASR kernels: {exc}"
    flags = " ".join(f for f, on in rt["cpu"]["flags"].items() if on and ("512" in f or "vnni" in f or "amx" in f))
    return (f"ASR kernels: CTranslate2 ISA {rt['cpu_isa']}, int8 GEMM {rt['int8_gemm_backend']}, env {rt['env']}; "
            f"CPU {rt['cpu']['vendor']} {rt['cpu']['model_name']} [{flags}]")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def fixtures_meta() -> dict[str, Any]:
    """``tests/data/fixtures.json``: per file (relative path): kind, text, duration, gold identifiers."""
    return json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def asr():
    """The default transcriber (real model), loaded once per session through the product's own cache."""
    from models.asr import load_transcriber

    return load_transcriber()


@pytest.fixture(scope="session")
def call_audio():
    from models.audio import decode

    return decode(DATA / "call_stereo.wav")


@pytest.fixture(scope="session")
def call_transcripts(asr, call_audio) -> dict[int, tuple[list, Any]]:
    """``{channel: (segments, info)}`` for both channels of ``call_stereo.wav`` (about 10 s of CPU)."""
    return {ch: asr.transcribe(samples) for ch, samples in enumerate(call_audio.channels)}
