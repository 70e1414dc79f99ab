"""Spoken-identifier clips for the audio leak bench: generated call lines read aloud by espeak-ng.

The ten hand-made clips in ``../shared/dev_audio`` are one voice at one speed at 16 kHz. Calls arrive in many
voices, at many speeds, mostly as 8 kHz G.711 μ-law telephone audio. This module turns the "spoken" lines of
``bench.callgen`` (lower case, digits and letters as Finnish words, gold spans with canonical values) into
clips with several espeak-ng voice variants, speeds of 120–180 words a minute, pitch and level variation and,
on about half of them, light white or pink noise (25–35 dB SNR). Everything is chosen from the seed and the
line id, so the same id is always the same text, voice, speed and noise.

Layout of one clip set (default ``var/bench/clips/<split>-<seed>/``)::

    16k/<id>.wav     16 kHz 16-bit PCM mono
    8k/<id>.wav      the same speech as a telephone hears it: band-limited 300–3400 Hz, 8 kHz G.711 μ-law
    */clips.tsv      id, TYPE, gold value, spoken text: the format of ../shared/dev_audio/clips.tsv, so
                     ``../shared/tools/audio_leak.py <dir> -- <process cmd>`` scores either directory
                     (a clip with two identifiers names the first there)
    */clips.json     every clip's gold spans, voice, speed, pitch, level, noise and rate

Only what is missing or was planned differently is rendered again.

Run: ``.venv/bin/python bench/audio_clips.py [--split dev|train] [--seed 2026] [--n 100]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = ROOT / "var" / "bench" / "clips"
DEFAULT_SEED = 2026
DEFAULT_N = 100
RENDER_VERSION = 1  # bump when the rendering below changes: cached clips are then made again

TYPES = ("HETU", "PHONE", "EMAIL", "IBAN", "CARD", "YTUNNUS", "CUSTOMER_NUMBER", "PERSON", "ADDRESS")
CLEAN_SHARE = 0.15  # lines without an identifier: the over-redaction check needs them
MAX_WORDS = 25  # one line per clip, kept short (Whisper base degrades on long synthetic utterances)

# espeak-ng Finnish with voice variants (``espeak-ng --voices=variant``); the whisper variants are left out
# (unvoiced, not a telephone voice). "fi" alone is what the hand-made dev clips use.
VOICES = ("fi", "fi+m1", "fi+m2", "fi+m3", "fi+m4", "fi+m5", "fi+m6", "fi+m7", "fi+f1", "fi+f2", "fi+f3",
          "fi+f4", "fi+f5", "fi+klatt", "fi+klatt3", "fi+croak")
SPEEDS = (120, 180)  # words per minute, inclusive
PITCHES = (30, 70)  # espeak-ng -p, 0–99, default 50
LEVELS_DB = (1.0, 6.0)  # peak level below full scale
NOISE_SHARE = 0.5
SNR_DB = (25.0, 35.0)
RATES = {"16k": 16000, "8k": 8000}


class MissingTool(RuntimeError):
    """espeak-ng or sox is not installed (Debian: ``bash scripts/system-deps.sh``)."""


@dataclass(frozen=True)
class ClipGold:
    """One gold identifier of a clip: its type, where it is in the spoken text, and its canonical value."""

    type: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines one clip's audio (the same spec renders byte-identical files)."""

    id: str
    line_id: str
    split: str
    seed: int
    text: str
    gold: tuple[ClipGold, ...]
    voice: str
    speed: int
    pitch: int
    level_db: float
    noise: str | None  # "white" | "pink" | None
    snr_db: float | None

    @property
    def row_type(self) -> str:
        """The clips.tsv type: the first identifier's, or NONE."""
        return self.gold[0].type if self.gold else "NONE"

    @property
    def row_value(self) -> str:
        return self.gold[0].value if self.gold else "-"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "gold": [asdict(g) for g in self.gold], "render_version": RENDER_VERSION}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ClipSpec:
        fields = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "gold": tuple(ClipGold(**g) for g in d["gold"])})


@dataclass(frozen=True)
class ClipSet:
    """A rendered clip set: ``dirs["16k"]`` and ``dirs["8k"]`` each hold ``clips.tsv`` and ``<id>.wav``."""

    root: Path
    specs: tuple[ClipSpec, ...]
    rendered: int  # how many clips had to be (re)made in this call

    @property
    def dirs(self) -> dict[str, Path]:
        return {rate: self.root / rate for rate in RATES}


# ------------------------------------------------------------------------------------------------ planning

def load_lines(split: str, seed: int) -> list[Any]:
    """The spoken-style lines of ``bench.callgen`` for a split (imported lazily: it is a sibling package)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.callgen import generate

    return list(generate(split=split, style="spoken", seed=seed))


def _clip_id(line_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in line_id)


def select_lines(lines: Iterable[Any], n: int, seed: int) -> list[Any]:
    """Pick ``n`` lines deterministically: identifier types in turn (seeded order) and ~15 % clean lines.

    Choosing slot by slot makes the pick for a smaller ``n`` a prefix of the pick for a larger one, so a
    quick run with ``--n 20`` reuses clips of the full set.
    """
    usable = sorted((ln for ln in lines if len(ln.text.split()) <= MAX_WORDS), key=lambda ln: ln.id)
    rng = random.Random(f"select/{seed}")
    buckets: dict[str, list[Any]] = {t: [ln for ln in usable if any(g.type == t for g in ln.gold)] for t in TYPES}
    clean = [ln for ln in usable if not ln.gold]
    for bucket in (*buckets.values(), clean):
        rng.shuffle(bucket)
    order = list(TYPES)
    rng.shuffle(order)
    picked: list[Any] = []
    seen: set[str] = set()
    turn = 0

    def take(bucket: list[Any]) -> bool:
        while bucket:
            ln = bucket.pop(0)
            if ln.id not in seen:
                seen.add(ln.id)
                picked.append(ln)
                return True
        return False

    while len(picked) < n:
        slot = len(picked)
        if int((slot + 1) * CLEAN_SHARE) > int(slot * CLEAN_SHARE) and take(clean):
            continue
        for k in range(len(order)):
            if take(buckets[order[(turn + k) % len(order)]]):
                turn += k + 1
                break
        else:
            if not take(clean):
                break  # every bucket is empty: fewer lines than asked for
    return picked


def plan_clips(lines: Iterable[Any], split: str, seed: int, n: int) -> list[ClipSpec]:
    """Choose lines and give each clip its voice, speed, pitch, level and noise (a function of seed and id)."""
    specs = []
    for ln in select_lines(lines, n, seed):
        rng = random.Random(f"render/{seed}/{ln.id}")
        voice = rng.choice(VOICES)
        speed = rng.randint(*SPEEDS)
        pitch = rng.randint(*PITCHES)
        level = round(rng.uniform(*LEVELS_DB), 1)
        noisy = rng.random() < NOISE_SHARE
        noise = rng.choice(("white", "pink")) if noisy else None
        snr = round(rng.uniform(*SNR_DB), 1) if noisy else None
        gold = tuple(ClipGold(g.type, g.start, g.end, g.value) for g in sorted(ln.gold, key=lambda g: g.start))
        # one TSV field: no tabs or newlines (replaced one for one, so the gold offsets still hold)
        text = ln.text.translate({ord(c): " " for c in "\t\r\n"})
        specs.append(ClipSpec(id=_clip_id(ln.id), line_id=ln.id, split=split, seed=seed, text=text, gold=gold,
                              voice=voice, speed=speed, pitch=pitch, level_db=level, noise=noise, snr_db=snr))
    ids = Counter(s.id for s in specs)
    if len(ids) != len(specs):
        raise ValueError(f"clip ids collide: {[i for i, c in ids.items() if c > 1][:5]}")
    return specs


# ----------------------------------------------------------------------------------------------- rendering

def check_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox") if shutil.which(t) is None]
    if missing:
        raise MissingTool(f"{' and '.join(missing)} not installed: run `bash scripts/system-deps.sh` "
                          "(Debian packages espeak-ng sox)")


def _run(cmd: Sequence[str], stdin: str | None = None) -> None:
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed (rc={p.returncode}): {p.stderr.strip()[-300:]}")


def _read_pcm16(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0


def _write_pcm16(path: Path, x: np.ndarray, rate: int) -> None:
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def _noise_seed(spec: ClipSpec) -> int:
    return int.from_bytes(hashlib.sha256(f"noise/{spec.seed}/{spec.line_id}".encode()).digest()[:8], "little")


def speech_power(x: np.ndarray, rate: int) -> float:
    """Mean power of the voiced 20 ms frames (within 40 dB of the loudest): espeak-ng pads with silence."""
    frame = rate // 50
    frames = x[: len(x) // frame * frame].reshape(-1, frame)
    energy = (frames**2).mean(axis=1)
    if not len(energy) or energy.max() == 0:
        return 0.0
    return float(energy[energy >= energy.max() * 1e-4].mean())


def add_noise(x: np.ndarray, rate: int, kind: str, snr_db: float, seed: int) -> np.ndarray:
    """``x`` plus white or pink (1/f) noise at ``snr_db`` below the speech power."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(len(x))
    if kind == "pink":
        spectrum = np.fft.rfft(noise)
        f = np.fft.rfftfreq(len(x), 1 / rate)
        f[0] = f[1] if len(f) > 1 else 1.0
        noise = np.fft.irfft(spectrum / np.sqrt(f), n=len(x))
    noise /= np.sqrt((noise**2).mean()) or 1.0
    return x + noise * np.sqrt(speech_power(x, rate) / 10 ** (snr_db / 10))


def render(spec: ClipSpec, out16: Path, out8: Path) -> None:
    """Speak ``spec.text`` and write both renderings.

    Through a temporary directory beside the output, renamed into place: a cut run leaves no half clip, and
    two runs rendering the same clip at once each put a whole file there.
    """
    with tempfile.TemporaryDirectory(prefix=".clip-", dir=out16.parent) as tmp:
        t = Path(tmp)
        _run(["espeak-ng", "-v", spec.voice, "-s", str(spec.speed), "-p", str(spec.pitch), "-b", "1",
              "-w", str(t / "raw.wav"), "--stdin"], stdin=spec.text)
        # -D: no dither (repeatable bytes); -G: guard against clipping in the resampler and the filter
        _run(["sox", "-D", "-G", str(t / "raw.wav"), "-r", "16000", "-c", "1", "-b", "16", str(t / "speech.wav"),
              "norm", f"-{spec.level_db}"])
        x = _read_pcm16(t / "speech.wav")
        if spec.noise:
            x = add_noise(x, 16000, spec.noise, spec.snr_db, _noise_seed(spec))
        _write_pcm16(t / "16k.wav", x, 16000)
        _run(["sox", "-D", "-G", str(t / "16k.wav"), "-r", "8000", "-c", "1", "-e", "u-law", "-b", "8",
              str(t / "8k.wav"), "sinc", "300-3400"])
        os.replace(t / "16k.wav", out16)
        os.replace(t / "8k.wav", out8)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _read_plan(path: Path) -> dict[str, dict[str, Any]]:
    try:
        return {c["id"]: c for c in json.loads(path.read_text(encoding="utf-8"))["clips"]}
    except (OSError, ValueError, KeyError):
        return {}


def write_clip_set(specs: Sequence[ClipSpec], root: Path, jobs: int | None = None) -> ClipSet:
    """Render what is missing or planned differently under ``root/16k`` and ``root/8k``; write the indexes."""
    check_tools()
    dirs = {rate: root / rate for rate in RATES}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    before = _read_plan(dirs["16k"] / "clips.json")
    todo = [s for s in specs
            if before.get(s.id) != s.to_json()
            or not all((d / f"{s.id}.wav").exists() for d in dirs.values())]
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        list(pool.map(lambda s: render(s, dirs["16k"] / f"{s.id}.wav", dirs["8k"] / f"{s.id}.wav"), todo))
    for rate, d in dirs.items():  # clips of a larger earlier run stay (cheap to keep, another run may use them)
        rows = "".join(f"{s.id}\t{s.row_type}\t{s.row_value}\t{s.text}\n" for s in specs)
        _write_atomic(d / "clips.tsv", rows)
        doc = {"rate": rate, "sample_rate": RATES[rate], "encoding": "pcm_s16le" if rate == "16k" else "mulaw",
               "band_hz": None if rate == "16k" else [300, 3400], "clips": [s.to_json() for s in specs]}
        _write_atomic(d / "clips.json", json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    return ClipSet(root=root, specs=tuple(specs), rendered=len(todo))


def read_clip_set(root: Path) -> list[ClipSpec]:
    """The specs of an already written clip set (from ``16k/clips.json``)."""
    return [ClipSpec.from_json(c) for c in _read_plan(root / "16k" / "clips.json").values()]


def clip_set(split: str = "dev", seed: int = DEFAULT_SEED, n: int = DEFAULT_N, root: Path | None = None,
             jobs: int | None = None) -> ClipSet:
    """Plan ``n`` clips of ``split`` from ``bench.callgen`` and make sure they are rendered."""
    check_tools()
    specs = plan_clips(load_lines(split, seed), split, seed, n)
    return write_clip_set(specs, (root or DEFAULT_ROOT) / f"{split}-{seed}", jobs)


def describe(specs: Sequence[ClipSpec]) -> str:
    types = Counter(g.type for s in specs for g in s.gold)
    clean = sum(1 for s in specs if not s.gold)
    voices = len({s.voice for s in specs})
    noisy = sum(1 for s in specs if s.noise)
    return (f"{len(specs)} clips: " + ", ".join(f"{t} {types[t]}" for t in TYPES)
            + f", clean {clean}; {voices} voices, {noisy} with noise")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "train"), default="dev")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="parent of <split>-<seed>/")
    args = ap.parse_args()
    cs = clip_set(args.split, args.seed, args.n, args.root)
    print(f"{cs.root}: {describe(cs.specs)}; rendered {cs.rendered} now")


if __name__ == "__main__":
    main()
