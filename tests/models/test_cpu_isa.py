"""``models/cpu_isa.py`` reproduces CTranslate2's kernel choice: against its rules, and against its own log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.cpu_isa import (
    AVX512_FLAGS,
    KERNEL_ENV,
    CpuInfo,
    UnsupportedCpuIsa,
    cpu_runtime,
    ctranslate2_cpu_isa,
    int8_gemm_backend,
    read_cpuinfo,
)

ROOT = Path(__file__).resolve().parents[2]
AVX512_CPU = CpuInfo("x86_64", "GenuineIntel", "Xeon", frozenset({"sse4_1", "avx", "avx2", *AVX512_FLAGS,
                                                                   "avx512_vnni"}))
AVX2_CPU = CpuInfo("x86_64", "AuthenticAMD", "EPYC", frozenset({"sse4_1", "avx", "avx2"}))
AVX_CPU = CpuInfo("x86_64", "GenuineIntel", "Sandy Bridge", frozenset({"sse4_1", "avx"}))
OLD_CPU = CpuInfo("x86_64", "GenuineIntel", "Core 2", frozenset({"sse4_1"}))
HALF_AVX512 = CpuInfo("x86_64", "GenuineIntel", "Xeon Phi", frozenset({"avx", "avx2", "avx512f", "avx512cd"}))
ARM_CPU = CpuInfo("aarch64", "ARM", "", frozenset({"fp", "asimd"}))


@pytest.mark.parametrize(("cpu", "forced", "isa"), [
    (AVX512_CPU, "", "AVX2"),  # AVX512 only when forced
    (AVX512_CPU, "AVX512", "AVX512"),
    (AVX512_CPU, "AVX", "AVX"),
    (AVX512_CPU, "GENERIC", "GENERIC"),
    (AVX2_CPU, "", "AVX2"),
    (AVX_CPU, "", "AVX"),
    (OLD_CPU, "", "GENERIC"),
    (OLD_CPU, "GENERIC", "GENERIC"),
    (ARM_CPU, "", "NEON"),
    (ARM_CPU, "NEON", "NEON"),
    (ARM_CPU, "GENERIC", "GENERIC"),
])
def test_isa_follows_ctranslate2_rules(cpu: CpuInfo, forced: str, isa: str) -> None:
    assert ctranslate2_cpu_isa(cpu, {"CT2_FORCE_CPU_ISA": forced} if forced else {}) == isa


@pytest.mark.parametrize(("cpu", "forced", "message"), [
    (AVX2_CPU, "AVX512", "The CPU does not support AVX512"),
    (HALF_AVX512, "AVX512", "The CPU does not support AVX512"),  # f and cd without vl, dq, bw
    (AVX_CPU, "AVX2", "The CPU does not support AVX2"),
    (OLD_CPU, "AVX", "The CPU does not support AVX"),
    (AVX512_CPU, "NEON", "Invalid CPU ISA: NEON"),
    (AVX512_CPU, "avx2", "Invalid CPU ISA: avx2"),  # case matters in CTranslate2
    (ARM_CPU, "AVX2", "Invalid CPU ISA: AVX2"),
])
def test_isa_ctranslate2_refuses_is_refused(cpu: CpuInfo, forced: str, message: str) -> None:
    with pytest.raises(UnsupportedCpuIsa, match=f"^{message}$"):
        ctranslate2_cpu_isa(cpu, {"CT2_FORCE_CPU_ISA": forced})


@pytest.mark.parametrize(("cpu", "use_mkl", "backend"), [
    (AVX512_CPU, None, "MKL"),
    (AVX2_CPU, None, "DNNL"),  # MKL by default on Intel only
    (AVX512_CPU, "0", "DNNL"),
    (AVX512_CPU, "yes", "DNNL"),  # only 1, true, TRUE mean true
    (AVX2_CPU, "1", "MKL"),
    (AVX2_CPU, "TRUE", "MKL"),
    (ARM_CPU, None, "Ruy"),
])
def test_int8_gemm_backend(cpu: CpuInfo, use_mkl: str | None, backend: str) -> None:
    assert int8_gemm_backend(cpu, {"CT2_USE_MKL": use_mkl} if use_mkl is not None else {}) == backend


def test_cpuinfo_is_parsed(tmp_path: Path) -> None:
    x86 = tmp_path / "x86"
    x86.write_text("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6430\n"
                   "flags\t\t: fpu sse4_1 avx avx2 avx512f amx_int8\n\nprocessor\t: 1\nflags\t: fpu\n")
    cpu = read_cpuinfo(x86, arch="x86_64")
    assert (cpu.vendor, cpu.model_name) == ("GenuineIntel", "Intel(R) Xeon(R) Gold 6430")
    assert cpu.has("avx2", "amx_int8") and not cpu.has("avx512bw")
    arm = tmp_path / "arm"
    arm.write_text("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd sve\nCPU implementer\t: 0x41\n")
    cpu = read_cpuinfo(arm, arch="arm64")
    assert (cpu.arch, cpu.vendor) == ("aarch64", "ARM") and cpu.has("asimd")
    assert read_cpuinfo(tmp_path / "absent", arch="x86_64").flags == frozenset()


def test_runtime_record_names_what_changes_int8_results() -> None:
    env = {"CT2_FORCE_CPU_ISA": "AVX512", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "CT2_USE_MKL": "", "HOME": "/x"}
    record = cpu_runtime(AVX512_CPU, env)
    assert record["cpu_isa"] == "AVX512" and record["int8_gemm_backend"] == "MKL"
    assert record["env"] == {"CT2_FORCE_CPU_ISA": "AVX512", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    assert record["cpu"]["vendor"] == "GenuineIntel" and record["cpu"]["model_name"] == "Xeon"
    flags = record["cpu"]["flags"]
    assert flags["avx512_vnni"] is True and flags["amx_int8"] is False and flags["avx_vnni"] is False
    json.dumps(record, allow_nan=False)


# -- against CTranslate2 itself ----------------------------------------------------------------------------

LOAD = """
import json
from models.asr import load_transcriber
info = load_transcriber().model_info
print(json.dumps({"runtime": info.settings["runtime"], "compute": info.settings["effective_compute_type"]}))
"""


def _ct2_log(kernel_env: dict[str, str]) -> tuple[int, str, str]:
    """Load the default model in a fresh process with CTranslate2's info log on: (rc, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV} | {"CT2_VERBOSE": "1"} | kernel_env
    proc = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _forced_values() -> list[str | None]:
    cpu = read_cpuinfo()
    if cpu.arch != "x86_64":
        return [None, "GENERIC"]
    # every ISA CTranslate2 knows, the ones this CPU lacks included (they must fail in both)
    return [None, "GENERIC", "AVX", "AVX2", "AVX512"]


@pytest.mark.slow
@pytest.mark.parametrize("forced", _forced_values(), ids=lambda v: v or "default")
def test_isa_matches_ctranslate2_log(forced: str | None) -> None:
    """CTranslate2 logs its choice once per process (``CT2_VERBOSE=1``): the recorded ISA is the logged one."""
    env = {"CT2_FORCE_CPU_ISA": forced} if forced else {}
    rc, out, err = _ct2_log(env)
    cpu = read_cpuinfo()
    try:
        expected = ctranslate2_cpu_isa(cpu, env)
    except UnsupportedCpuIsa as exc:
        assert rc != 0 and str(exc) in err, err[-1000:]  # CTranslate2 refused the load with the same words
        return
    assert rc == 0, err[-2000:]
    logged = re.search(r"Selected ISA: (\w+)", err)
    assert logged, err[-2000:]
    recorded = json.loads(out.splitlines()[-1])
    assert recorded["runtime"]["cpu_isa"] == logged.group(1) == expected
    mkl = re.search(r"Use Intel MKL: (true|false)", err)
    assert mkl and (mkl.group(1) == "true") == (recorded["runtime"]["int8_gemm_backend"] == "MKL")
    s8 = re.search(r"GEMM_S8 backend: (\w+)", err)
    assert s8 and s8.group(1) == recorded["runtime"]["int8_gemm_backend"]
    assert recorded["compute"] in err  # "Selected compute type: int8_float32"
    if cpu.arch == "x86_64":  # the feature line: "CPU: GenuineIntel (SSE4.1=true, AVX=true, AVX2=true, AVX512=true)"
        features = re.search(r"CPU: (\S+) \(SSE4\.1=(\w+), AVX=(\w+), AVX2=(\w+), AVX512=(\w+)\)", err)
        assert features, err[-2000:]
        ours = (cpu.vendor, *(str(b).lower() for b in (cpu.has("sse4_1"), cpu.has("avx"), cpu.has("avx2"),
                                                      cpu.has(*AVX512_FLAGS))))
        assert features.groups() == ours


@pytest.mark.slow
def test_ctranslate2_backend_switch_is_recorded() -> None:
    """``CT2_USE_MKL=0`` moves int8 GEMM to oneDNN: logged by CTranslate2, recorded by us."""
    rc, out, err = _ct2_log({"CT2_USE_MKL": "0"})
    assert rc == 0, err[-2000:]
    recorded = json.loads(out.splitlines()[-1])["runtime"]
    logged = re.search(r"GEMM_S8 backend: (\w+)", err)
    assert logged and logged.group(1) == recorded["int8_gemm_backend"]
    assert recorded["env"] == {"CT2_USE_MKL": "0"}


def test_cuda_runtime_names_the_device() -> None:
    """On CUDA the CPU does not decide the kernels: the device (and the GPU's name where the driver says) does."""
    from models.asr import runtime_provenance

    record = runtime_provenance("cuda")
    assert record["device"] == "cuda" and record["device_index"] == 0
    assert record["gpu"] is None or isinstance(record["gpu"], str)
    assert "cpu_isa" not in record
    json.dumps(record, allow_nan=False)
