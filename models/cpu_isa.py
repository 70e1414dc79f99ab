"""Which CPU kernels CTranslate2 runs with, and what else on the machine changes int8 transcripts.

faster-whisper's int8 output differs from CPU to CPU (FINDINGS.md: "kiitos" on one machine is "kitos" on an
AVX-512 Xeon), so a transcript's provenance has to say what ran. CTranslate2 4.x decides once per process, at
the first model load, and only logs it (``CT2_VERBOSE=1``: "Selected ISA: AVX2"); this module reproduces the
decision from the same inputs. From CTranslate2's sources (4.8, ``src/cpu/cpu_isa.cc``, ``cpu_info.cc``,
``backend.cc``):

* ``CT2_FORCE_CPU_ISA`` (non-empty) wins: ``AVX512``/``AVX2``/``AVX`` (x86) or ``NEON`` (ARM64) if the CPU has
  it, else the load fails ("The CPU does not support AVX512"); ``GENERIC`` always; anything else is invalid.
* Otherwise x86-64 picks AVX2 if the CPU has it, else AVX, else GENERIC: **AVX512 is used only when forced**.
  ARM64 picks NEON. "AVX512" means avx512f, cd, vl, dq and bw together (Google cpu_features, which also
  requires the OS to save the registers; Linux drops the flags from ``/proc/cpuinfo`` when it does not).
* int8 GEMM goes to Intel MKL when ``CT2_USE_MKL`` is unset and the vendor is GenuineIntel, or when it is
  "1"/"true"/"TRUE"; otherwise to oneDNN (the x86-64 wheels carry both; the ARM64 Linux wheel uses Ruy).
  MKL and oneDNN then dispatch on their own (VNNI, AMX), limited by ``MKL_ENABLE_INSTRUCTIONS`` /
  ``ONEDNN_MAX_CPU_ISA``: that is why the CPU flags are recorded too.
"""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# CPU flags (Linux /proc/cpuinfo names) that select kernels in CTranslate2, MKL or oneDNN int8 paths.
INT8_FLAGS = ("sse4_1", "avx", "avx2", "fma", "f16c", "avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw",
              "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")
AVX512_FLAGS = ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")
# Environment variables that change which kernels run (recorded only when set).
KERNEL_ENV = ("CT2_FORCE_CPU_ISA", "CT2_USE_MKL", "CT2_PACKED_GEMM", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR",
              "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
X86_ISAS = {"AVX512": AVX512_FLAGS, "AVX2": ("avx2",), "AVX": ("avx",)}


class UnsupportedCpuIsa(ValueError):
    """``CT2_FORCE_CPU_ISA`` names an ISA this CPU lacks or CTranslate2 does not know (the load fails too)."""


@dataclass(frozen=True)
class CpuInfo:
    """What ``/proc/cpuinfo`` says about the first processor. ``arch`` is ``x86_64``, ``aarch64``, …"""

    arch: str
    vendor: str
    model_name: str
    flags: frozenset[str]

    def has(self, *flags: str) -> bool:
        return all(f in self.flags for f in flags)


def read_cpuinfo(path: str | Path = "/proc/cpuinfo", arch: str | None = None) -> CpuInfo:
    """Parse the first processor block of ``/proc/cpuinfo`` (empty fields where the file is absent)."""
    arch = _normalise_arch(arch or platform.machine())
    fields: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break  # the first processor is enough: flags are uniform on the machines we run on
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    flags = fields.get("flags") or fields.get("features") or ""
    vendor = fields.get("vendor_id") or ("ARM" if arch == "aarch64" else "")
    return CpuInfo(arch=arch, vendor=vendor, model_name=fields.get("model name") or platform.processor(),
                   flags=frozenset(flags.split()))


def _normalise_arch(machine: str) -> str:
    machine = machine.lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def ctranslate2_cpu_isa(cpu: CpuInfo, env: Mapping[str, str]) -> str:
    """The ISA CTranslate2 selects for this CPU and environment: AVX512, AVX2, AVX, NEON or GENERIC.

    Raises ``UnsupportedCpuIsa`` where CTranslate2 refuses to load a model (forced ISA missing or unknown).
    """
    forced = env.get("CT2_FORCE_CPU_ISA", "")
    if forced:
        if cpu.arch == "x86_64" and forced in X86_ISAS:
            if not cpu.has(*X86_ISAS[forced]):
                raise UnsupportedCpuIsa(f"The CPU does not support {forced}")
            return forced
        if cpu.arch == "aarch64" and forced == "NEON":
            return "NEON"
        if forced == "GENERIC":
            return "GENERIC"
        raise UnsupportedCpuIsa(f"Invalid CPU ISA: {forced}")
    if cpu.arch == "x86_64":
        return "AVX2" if cpu.has("avx2") else "AVX" if cpu.has("avx") else "GENERIC"
    return "NEON" if cpu.arch == "aarch64" else "GENERIC"


def int8_gemm_backend(cpu: CpuInfo, env: Mapping[str, str]) -> str:
    """The library CTranslate2's PyPI wheels hand int8 matrix products to: MKL, DNNL, Ruy or unknown."""
    if cpu.arch == "aarch64":
        return "Ruy"
    if cpu.arch != "x86_64":
        return "unknown"
    use_mkl = env.get("CT2_USE_MKL", "")
    if not use_mkl:
        return "MKL" if cpu.vendor == "GenuineIntel" else "DNNL"
    return "MKL" if use_mkl in ("1", "true", "TRUE") else "DNNL"


def cpu_runtime(cpu: CpuInfo, env: Mapping[str, str]) -> dict[str, Any]:
    """The provenance record of what changes int8 results on a CPU (JSON-ready)."""
    return {
        "cpu_isa": ctranslate2_cpu_isa(cpu, env),
        "int8_gemm_backend": int8_gemm_backend(cpu, env),
        "env": {k: env[k] for k in KERNEL_ENV if env.get(k)},
        "cpu": {"arch": cpu.arch, "vendor": cpu.vendor, "model_name": cpu.model_name,
                "flags": {f: f in cpu.flags for f in INT8_FLAGS} if cpu.arch == "x86_64" else {}},
    }


def process_cpu_runtime() -> dict[str, Any]:
    """``cpu_runtime`` for this machine and process (a fresh dict each call)."""
    return cpu_runtime(*_process_inputs())


@functools.cache
def _process_inputs() -> tuple[CpuInfo, dict[str, str]]:
    # Read once: CTranslate2 also decides once per process (at the first model load, from the environment
    # then), so a later change of the environment changes neither.
    return read_cpuinfo(), {k: os.environ[k] for k in KERNEL_ENV if k in os.environ}


def cuda_runtime(device_index: int = 0) -> dict[str, Any]:
    """The GPU that ran (name from the NVIDIA driver's ``/proc`` entry where readable; None where not)."""
    names = _nvidia_gpu_names()
    return {"device_index": device_index, "gpu": names[device_index] if device_index < len(names) else None,
            "env": {k: os.environ[k] for k in ("CUDA_VISIBLE_DEVICES",) if os.environ.get(k)}}


def _nvidia_gpu_names() -> list[str]:
    names = []
    for info in sorted(Path("/proc/driver/nvidia/gpus").glob("*/information")):
        try:
            lines = info.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        names += [line.partition(":")[2].strip() for line in lines if line.startswith("Model:")]
    return names
