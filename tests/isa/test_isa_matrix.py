"""The end-to-end leak checks under three CPU kernel configurations, not only this machine's.

faster-whisper's int8 transcript depends on the kernels CTranslate2 and Intel MKL pick for the CPU, so a
pipeline that redacts every identifier here may leak on a customer's machine. Each configuration runs the
real pipeline (``tests/isa/run_pipeline.py``) in a subprocess with a clean kernel environment plus:

* ``AVX2-only``: ``CT2_FORCE_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2``, what an AVX2-only CPU runs;
* the machine's best: ``CT2_FORCE_CPU_ISA=AVX512`` where the CPU has it, else ``AVX``;
* ``AVX2-oneDNN``: ``CT2_FORCE_CPU_ISA=AVX2 CT2_USE_MKL=0``, int8 GEMM in oneDNN instead of Intel MKL, which is
  what CTranslate2 does by default on every non-Intel (AMD) CPU.

Over the shared dev clips (scored by the workplace's tool, exactly as ``tests/service/test_audio_leak.py``)
and ``tests/data/call_stereo.wav`` (its gold identifiers from ``fixtures.json``, scored by the same tool):
no leak, clean clips readable, and the ASR provenance names the forced ISA and backend. About a minute per
configuration on two idle cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from models.cpu_isa import AVX512_FLAGS, KERNEL_ENV, cpu_runtime, read_cpuinfo
from tests.leak_tool import CLIPS, TOOL, assert_no_leak_that_must_not_happen, dev_clips, load_tool, score_dev_clips

ROOT = Path(__file__).resolve().parents[2]
STEREO = ROOT / "tests" / "data" / "call_stereo.wav"
CPU = read_cpuinfo()
BEST = "AVX512" if CPU.has(*AVX512_FLAGS) else "AVX"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.isa,
    pytest.mark.skipif(CPU.arch != "x86_64", reason="the ISA matrix is for x86-64 CPUs"),
    pytest.mark.skipif(not TOOL.exists() or not (CLIPS / "clips.tsv").exists(),
                       reason="../shared/tools/audio_leak.py or ../shared/dev_audio not present"),
]

CONFIGS = [
    pytest.param({"CT2_FORCE_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}, id="AVX2-only",
                 marks=pytest.mark.skipif(not CPU.has("avx2"), reason="no AVX2")),
    pytest.param({"CT2_FORCE_CPU_ISA": BEST}, id=BEST,
                 marks=pytest.mark.skipif(not CPU.has("avx"), reason="no AVX")),
    pytest.param({"CT2_FORCE_CPU_ISA": "AVX2", "CT2_USE_MKL": "0"}, id="AVX2-oneDNN",
                 marks=pytest.mark.skipif(not CPU.has("avx2"), reason="no AVX2")),
]


@dataclass(frozen=True)
class IsaRun:
    env: dict[str, str]
    docs: dict[str, dict[str, Any]]  # file name -> {"text", "segments", "asr_runtime"} (redacted only)
    raw_path: Path  # raw transcripts, for a human reading a failure


@pytest.fixture(scope="module", params=CONFIGS)
def isa_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> IsaRun:
    forced: dict[str, str] = request.param
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV and k != "CT2_VERBOSE"} | forced
    raw_path = tmp_path_factory.mktemp("isa") / "raw_transcripts.json"
    audio = [str(CLIPS / f"{cid}.wav") for cid, _, _ in dev_clips()] + [str(STEREO)]
    proc = subprocess.run([sys.executable, "-m", "tests.isa.run_pipeline", "--raw-out", str(raw_path), *audio],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return IsaRun(forced, json.loads(proc.stdout), raw_path)


def test_asr_provenance_names_the_forced_isa(isa_run: IsaRun) -> None:
    for name, doc in isa_run.docs.items():
        runtimes = doc["asr_runtime"]
        assert runtimes, name  # one per transcribed channel
        for runtime in runtimes:
            assert runtime["cpu_isa"] == isa_run.env["CT2_FORCE_CPU_ISA"], name
            assert runtime["env"] == isa_run.env, name  # the clean environment: nothing else set
            assert runtime == {"device": "cpu", **cpu_runtime(CPU, isa_run.env)}, name


def _score(isa_run: IsaRun) -> Any:
    raw = json.loads(isa_run.raw_path.read_text(encoding="utf-8"))
    return score_dev_clips(load_tool(), {cid: isa_run.docs[f"{cid}.wav"] for cid, _, _ in dev_clips()},
                           {cid: "\n".join(raw[f"{cid}.wav"]) for cid, _, _ in dev_clips()})


def test_no_dev_clip_identifier_leaks(isa_run: IsaRun) -> None:
    assert_no_leak_that_must_not_happen(_score(isa_run), f"{isa_run.env}, raw: {isa_run.raw_path}")


def test_clean_dev_clips_stay_readable(isa_run: IsaRun) -> None:
    score = _score(isa_run)
    assert score.over == [], f"over-redacted under {isa_run.env}: {score.shown(score.over)}"


def test_stereo_call_identifiers_do_not_leak(isa_run: IsaRun, fixtures_meta: dict[str, Any]) -> None:
    tool = load_tool()
    text = tool.text_of(isa_run.docs[STEREO.name])
    golds = fixtures_meta[STEREO.name]["identifiers"]
    assert len(golds) == 4
    leaked = [g["type"] for g in golds if tool.leaks(g["type"], g["value"], text)]
    assert leaked == [], f"leaked under {isa_run.env}: {leaked} in {text!r} (raw: {isa_run.raw_path})"
