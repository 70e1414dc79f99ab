"""Second half of ``make_fixtures.sh``: codecs sox cannot write, the broken-input corpus, fixtures.json.

Kept independent of the project's own code (only PyAV, numpy and the standard library) so that a bug in
``models.audio`` can never be baked into the fixtures that test it.

Usage: make_fixtures.py OUT_DIR CLIPS_TSV CALL_TSV
"""

from __future__ import annotations

import io
import json
import sys
import wave
from pathlib import Path

import av
import numpy as np


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        return np.frombuffer(frames, dtype="<i2").reshape(-1, w.getnchannels()).T, w.getframerate()


def write_with_pyav(samples: np.ndarray, rate: int, out: Path, container: str, codec: str,
                    bitrate: int) -> None:
    """Encode int16 mono samples; PyAV buffers and converts frames to the codec's frame size and format."""
    buf = io.BytesIO()
    # bitexact: fixed Ogg serial numbers and no encoder version tags, so reruns give identical bytes
    with av.open(buf, "w", format=container, container_options={"fflags": "+bitexact"}) as c:
        stream = c.add_stream(codec, rate=rate)
        stream.layout = "mono"
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in (*stream.encode(frame), *stream.encode(None)):
            c.mux(packet)
    out.write_bytes(buf.getvalue())


def write_bad_corpus(out: Path, clean_wav: Path) -> dict[str, str]:
    """Inputs that must be refused with InvalidAudio: what an upload endpoint meets in practice."""
    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    (bad / "empty.wav").write_bytes(b"")
    (bad / "not_audio.wav").write_text("Tämä on tekstitiedosto eikä äänitiedosto.\n" * 20, encoding="utf-8")
    data = clean_wav.read_bytes()
    # header (44 bytes) still claims the full data chunk, only a tenth of the samples follow
    (bad / "truncated.wav").write_bytes(data[: 44 + (len(data) - 44) // 10 // 2 * 2])
    with wave.open(str(bad / "zero_samples.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"")
    return {"bad/empty.wav": "empty file", "bad/not_audio.wav": "text file named .wav",
            "bad/truncated.wav": "WAV header promises 10x the samples present",
            "bad/zero_samples.wav": "valid WAV header, zero samples"}


def parse_ids(field: str) -> list[dict[str, str]]:
    return [{"type": t, "value": v} for t, v in (p.split("=", 1) for p in field.split(";") if p)]


def duration_of(path: Path) -> float:
    samples, rate = read_wav(path)
    return round(samples.shape[1] / rate, 3)


def main(out: Path, clips_tsv: Path, call_tsv: Path) -> None:
    """Write the variants, the bad corpus and fixtures.json, keyed by path relative to ``out``."""
    clean, rate = read_wav(out / "clean.wav")
    write_with_pyav(clean[0], rate, out / "clean.mp3", "mp3", "libmp3lame", 32000)
    write_with_pyav(clean[0], rate, out / "clean.m4a", "ipod", "aac", 32000)
    write_with_pyav(clean[0], rate, out / "clean.opus", "ogg", "libopus", 24000)

    fixtures: dict[str, object] = {
        "_about": "Synthetic espeak-ng speech, fictitious identifiers. Made by scripts/make_fixtures.sh."
    }
    for line in clips_tsv.read_text(encoding="utf-8").splitlines():
        cid, typ, gold, text = line.split("\t")
        fixtures[f"{cid}.wav"] = {"kind": "clip", "text": text, "duration": duration_of(out / f"{cid}.wav"),
                                  "identifiers": [] if typ == "NONE" else [{"type": typ, "value": gold}]}
    clean_duration = duration_of(out / "clean.wav")
    for name, sr in [("clean.flac", 16000), ("clean.ogg", 16000), ("clean.mp3", 16000), ("clean.m4a", 16000),
                     ("clean.opus", 48000), ("clean_mulaw8k.wav", 8000), ("clean_alaw8k.wav", 8000)]:
        fixtures[name] = {"kind": "format", "same_as": "clean.wav", "duration": clean_duration,
                          "source_sample_rate": sr}
    fixtures["clean_8k.ul"] = {"kind": "raw", "same_as": "clean.wav", "raw_format": "mulaw",
                               "source_sample_rate": 8000, "duration": clean_duration}
    turns = []
    for line in call_tsv.read_text(encoding="utf-8").splitlines():
        ch, start, end, text, ids = line.split("\t")
        turns.append({"channel": int(ch), "start": round(float(start), 3), "end": round(float(end), 3),
                      "text": text, "identifiers": parse_ids(ids)})
    fixtures["call_stereo.wav"] = {
        "kind": "call", "duration": duration_of(out / "call_stereo.wav"),
        "channels": {"0": "agent", "1": "customer"}, "reason": "broadband connection broken",
        "identifiers": [i for t in turns for i in t["identifiers"]], "turns": turns,
    }
    for name, why in write_bad_corpus(out, out / "clean.wav").items():
        fixtures[name] = {"kind": "bad", "why": why}
    text = json.dumps(fixtures, ensure_ascii=False, indent=2) + "\n"
    (out / "fixtures.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
