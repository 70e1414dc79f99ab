"""Run the real pipeline over audio files in this process; print redacted texts and the ASR provenance as JSON.

``tests/isa/test_isa_matrix.py`` runs this with ``python -m tests.isa.run_pipeline`` in a subprocess whose
environment forces a CPU ISA: CTranslate2 picks its kernels once per process, so one ISA needs one process.
Stdout carries redacted text only; raw transcripts go to ``--raw-out`` (a file under pytest's ``tmp_path``)
for a human to read when an assertion fails.

    python -m tests.isa.run_pipeline --raw-out RAW.json AUDIO...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def asr_runtimes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``runtime`` provenance of every transcribe activity of one transcript document."""
    return [p["agent"]["settings"]["runtime"] for p in doc["provenance"]
            if p["activity"]["stage"].startswith("transcribe:")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--raw-out", type=Path, required=True)
    ap.add_argument("audio", type=Path, nargs="+")
    args = ap.parse_args(argv)

    from models.audio import decode
    from service.pipeline.build import RuntimeOptions, get_pipeline

    pipeline = get_pipeline(RuntimeOptions())
    out: dict[str, Any] = {}
    raw: dict[str, list[str]] = {}
    for path in args.audio:
        result = pipeline.process(decode(path), None)
        doc = result.transcript_json()
        out[path.name] = {"text": doc["text"], "segments": [{"text": s["text"]} for s in doc["segments"]],
                          "asr_runtime": asr_runtimes(doc)}
        raw[path.name] = [t.raw_text for t in result.raw_turns]
    args.raw_out.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
