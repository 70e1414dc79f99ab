"""Raw ASR text of every test clip under several CPU kernel configurations, as JSONL.

faster-whisper's int8 output differs between CPUs (FINDINGS.md). One machine can imitate several by forcing
CTranslate2's ISA and limiting Intel MKL's own dispatch, so detection rules can be checked against many
CPUs' garbles. Each configuration runs in its own process (CTranslate2 picks its kernels once per process)
with the product's default ASR settings. Configurations the CPU cannot run are skipped.

Rows: ``{"config", "clip", "channel", "text", "words": [{"w", "p", "start", "end"}]}``; ``clip`` is the
``clips.tsv`` id for the dev clips (``d1``…) and the file name (the ``fixtures.json`` key) for ``tests/data``.

    .venv/bin/python bench/isa_transcripts.py [--out var/bench/isa_transcripts.jsonl] [--config AVX2 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from models.cpu_isa import KERNEL_ENV, UnsupportedCpuIsa, ctranslate2_cpu_isa, read_cpuinfo

ROOT = Path(__file__).resolve().parents[1]
DEV_AUDIO = Path("/work/shared/dev_audio")
DATA = ROOT / "tests" / "data"
CONFIGS: dict[str, dict[str, str]] = {  # name -> environment; an AVX2-only Intel CPU first
    "AVX2+MKL_AVX2": {"CT2_FORCE_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "AVX2": {"CT2_FORCE_CPU_ISA": "AVX2"},
    "AVX512": {"CT2_FORCE_CPU_ISA": "AVX512"},
    "AVX": {"CT2_FORCE_CPU_ISA": "AVX"},
    "GENERIC": {"CT2_FORCE_CPU_ISA": "GENERIC"},
    "CT2_USE_MKL=0": {"CT2_USE_MKL": "0"},
}


def clips() -> list[tuple[str, Path]]:
    """(clip name, path): the dev clips, then the ``tests/data`` WAVs (mono clips and the stereo call)."""
    out = [(p.stem, p) for p in sorted(DEV_AUDIO.glob("*.wav"), key=lambda p: int(p.stem[1:]))]
    return out + [(p.name, p) for p in sorted(DATA.glob("*.wav"))]


def kernel_env(config: str) -> dict[str, str]:
    """The parent's environment without any kernel setting, plus the configuration's."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV}
    return {**env, **CONFIGS[config]}


def runnable(config: str) -> bool:
    try:
        ctranslate2_cpu_isa(read_cpuinfo(), CONFIGS[config])
    except UnsupportedCpuIsa:
        return False
    return True


def worker(config: str) -> None:
    """Transcribe every clip in this process and print one JSON row per channel."""
    from models.asr import load_transcriber
    from models.audio import decode

    asr = load_transcriber()
    print(json.dumps({"_isa": asr.model_info.settings["runtime"]["cpu_isa"]}), flush=True)
    for name, path in clips():
        for ch, samples in enumerate(decode(path).channels):
            segments, _info = asr.transcribe(samples)
            words = [{"w": w.text, "p": round(w.probability, 3), "start": round(w.start, 2),
                      "end": round(w.end, 2)} for s in segments for w in s.words]
            row = {"config": config, "clip": name, "channel": ch, "text": " ".join(s.text for s in segments),
                   "words": words}
            print(json.dumps(row, ensure_ascii=False), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "isa_transcripts.jsonl")
    ap.add_argument("--config", action="append", choices=list(CONFIGS), help="default: all the CPU can run")
    ap.add_argument("--worker", choices=list(CONFIGS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for config in args.config or list(CONFIGS):
            if not runnable(config):
                print(f"{config}: skipped (this CPU cannot run it)", file=sys.stderr)
                continue
            started = time.monotonic()
            proc = subprocess.run([sys.executable, __file__, "--worker", config], env=kernel_env(config),
                                  capture_output=True, text=True, check=False)
            if proc.returncode:
                print(f"{config}: failed rc={proc.returncode}: {proc.stderr[-500:]}", file=sys.stderr)
                return 1
            header, *rows = proc.stdout.splitlines()
            out.writelines(row + "\n" for row in rows)
            out.flush()
            print(f"{config}: {len(rows)} rows, ISA {json.loads(header)['_isa']}, "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    partial.replace(args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
