"""The CLI as a user runs it: real subprocesses, real models, real fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "service.cli"]


def run(args: list[str], tmp_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUHETURVA_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_redact_jsonl_offsets_refer_to_each_line(tmp_path: Path) -> None:
    lines = ["henkilötunnukseni on 120466-512H", "internet ei toimi", "soita 040 765 1234 kiitos"]
    p = run(["redact", "--jsonl"], tmp_path, stdin="\n".join(lines) + "\n")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(rows) == 3
    assert rows[0]["text"] == "henkilötunnukseni on [HETU]"
    (ent,) = rows[0]["entities"]
    assert (ent["type"], lines[0][ent["start"]:ent["end"]]) == ("HETU", "120466-512H")
    assert set(ent) == {"type", "start", "end", "score", "recognizer"}
    assert rows[1] == {"text": "internet ei toimi", "entities": []}
    (ph,) = rows[2]["entities"]
    assert lines[2][ph["start"]:ph["end"]] == "040 765 1234"
    assert "120466" not in p.stdout and "765 1234" not in p.stdout


def test_redact_plain_text_file(tmp_path: Path) -> None:
    f = tmp_path / "in.txt"
    f.write_text("sähköposti pekka.nieminen@example.fi\n", encoding="utf-8")
    p = run(["redact", str(f)], tmp_path)
    assert p.returncode == 0, p.stderr
    assert "example.fi" not in p.stdout and "[SÄHKÖPOSTI]" in p.stdout


@pytest.mark.slow
def test_process_stereo_call_writes_redacted_outputs(tmp_path: Path) -> None:
    gold = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))["call_stereo.wav"]
    out = tmp_path / "out"
    p = run(["process", str(DATA / "call_stereo.wav"), "--channels", "agent,customer", "--out", str(out),
             "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert json.loads((out / "transcript.json").read_text(encoding="utf-8")) == doc
    speakers = {s["speaker"] for s in doc["segments"]}
    assert speakers == {"agent", "customer"}
    starts = [s["start"] for s in doc["segments"]]
    assert starts == sorted(starts)
    types = {e["type"] for e in doc["entities"]}
    assert {"HETU", "PHONE"} <= types, types
    stages = [a["activity"]["stage"] for a in doc["provenance"]]
    assert stages[:2] == ["transcribe:channel0", "transcribe:channel1"] and "redact_audio" in stages
    raw_digest = doc["provenance"][0]["generated"]["raw_transcript"]
    assert raw_digest.startswith("hmac-sha256:"), "raw text digests are keyed (no brute force of short ids)"
    asr = doc["provenance"][0]["agent"]
    assert asr["sha256"] == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert any(c["kind"] == "call_reason" for c in doc["classifications"])
    with wave.open(str(out / "redacted.wav")) as w:
        assert w.getnchannels() == 2 and w.getframerate() == 16000
    for ident in gold["identifiers"]:
        assert ident["value"] not in p.stdout
    assert doc["redacted_audio_ranges"], "identifiers were redacted from the audio"


@pytest.mark.parametrize("name", ["empty.wav", "not_audio.wav", "truncated.wav", "zero_samples.wav"])
def test_process_bad_input_gives_clear_error(tmp_path: Path, name: str) -> None:
    p = run(["process", str(DATA / "bad" / name)], tmp_path)
    assert p.returncode == 2
    assert p.stderr.startswith("error: ") and "Traceback" not in p.stderr


def test_process_missing_file(tmp_path: Path) -> None:
    p = run(["process", str(tmp_path / "nope.wav")], tmp_path)
    assert p.returncode == 2 and "not found" in p.stderr and "Traceback" not in p.stderr


def test_process_duration_limit(tmp_path: Path) -> None:
    env_run = subprocess.run([*CLI, "process", str(DATA / "call_stereo.wav")], capture_output=True, text=True,
                             cwd=ROOT, timeout=600,
                             env={**os.environ, "PUHETURVA_DATA_DIR": str(tmp_path / "v"),
                                  "PUHETURVA_MAX_AUDIO_SECONDS": "5"})
    assert env_run.returncode == 2 and "Traceback" not in env_run.stderr
    assert "limit" in env_run.stderr
