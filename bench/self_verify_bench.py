"""What self-verification buys on generated clips: identifiers still heard in the *redacted audio*.

Run: ``.venv/bin/python bench/self_verify_bench.py [--split dev|train] [--rate 8k|16k] [--n N] [--show N]``

The text leak score (``bench/audio_leak_bench.py``) reads the redacted transcript; a listener hears the
redacted audio. Here every clip gets one first pass and both sides of self-verification on it:
``self_verify=off`` and ``self_verify=on`` (``auto`` skips clips this short: their windows exceed its
budget). Each redacted WAV is then transcribed again by the same model with the pipeline's own decoding
settings, as a listener with our ASR would hear it, and scored with the leak rule of
``../shared/tools/audio_leak.py`` (``bench/_corpus.py``). Reported per side: clips whose redacted audio is
leak-free, leaks by type, seconds of audio redacted, and pipeline CPU time; for ``on`` also the verdicts.
Clean clips show the cost: seconds of audio toned where there was no identifier.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audio_clips import DEFAULT_N, DEFAULT_ROOT, DEFAULT_SEED, TYPES, ClipSpec, clip_set, describe  # noqa: E402
from bench.audio_leak_bench import leaked_types  # noqa: E402

SIDES = ("off", "on")


@dataclass(frozen=True)
class Side:
    """One clip through one pipeline: what a second listen to its redacted audio still gives away."""

    leaked: tuple[str, ...]
    redacted_s: float
    cpu_s: float
    verdict: str


def listen(pipeline: Any, wav: bytes) -> str:
    """Transcribe a redacted WAV with the pipeline's model and settings; the text a listener gets."""
    from models.audio import decode

    audio = decode(wav)
    texts = []
    for ch in audio.channels:
        segments, _ = pipeline.transcriber.transcribe(ch)
        texts.append(" ".join(s.text for s in segments))
    return "\n".join(texts)


def run_clip(pipeline: object, spec: ClipSpec, path: Path) -> tuple[dict[str, Side], dict[str, str]]:
    """One first pass (ASR, detection, audio redaction), then self-verification on it: both sides share the
    first pass, so the comparison is of verification alone (the ASR's temperature fallback samples, and
    CTranslate2 seeds each worker thread once, so two full runs of one clip may transcribe it differently)."""
    from models.audio import decode
    from service.pipeline import default_channel_map

    p: Any = pipeline
    audio = decode(path)
    c = time.process_time()
    turns = p.transcribe(audio, default_channel_map(audio.n_channels), [], None)
    results, _ = p.detect_and_redact(turns, [])
    first = p.redact_audio(audio, turns, results, [])
    first_cpu = time.process_time() - c
    c = time.process_time()
    final, verdict = p.verify_redaction(audio, turns, results, first, [], None)
    verify_cpu = time.process_time() - c
    sides, heard = {}, {}
    for side, redacted, cpu, name in (("off", first, first_cpu, "off"),
                                      ("on", final, first_cpu + verify_cpu, verdict.verdict if verdict else "off")):
        heard[side] = listen(p, redacted.wav)
        sides[side] = Side(tuple(leaked_types(spec.gold, heard[side])),
                           round(sum(b - a for a, b in redacted.ranges), 3), cpu, name)
    return sides, heard


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "train"), default="dev")
    ap.add_argument("--rate", choices=("16k", "8k"), default="8k")
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--clips-root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N clips where the sides differ")
    args = ap.parse_args()

    from service.pipeline import Pipeline
    from service.pipeline.build import RuntimeOptions, get_pipeline

    cs = clip_set(args.split, args.seed, args.n, args.clips_root)
    print(f"clips {cs.root}: {describe(cs.specs)}", file=sys.stderr, flush=True)
    base = get_pipeline(RuntimeOptions())
    pipeline = Pipeline(base.transcriber, base.analyzer, base.analyzer_info, base.classifier,
                        dataclasses.replace(base.options, self_verify="on"))
    rows: list[tuple[ClipSpec, dict[str, Side], dict[str, str]]] = []
    for k, spec in enumerate(cs.specs, 1):
        path = cs.dirs[args.rate] / f"{spec.id}.wav"
        sides, heard = run_clip(pipeline, spec, path)
        rows.append((spec, sides, heard))
        if k % 10 == 0 or k == len(cs.specs):
            print(f"  {k}/{len(cs.specs)} clips", file=sys.stderr, flush=True)
    report(rows, args)


def report(rows: list[tuple[ClipSpec, dict[str, Side], dict[str, str]]], args: argparse.Namespace) -> None:
    with_ids = [r for r in rows if r[0].gold]
    clean = [r for r in rows if not r[0].gold]
    total = Counter(g.type for spec, _, _ in with_ids for g in spec.gold)
    print(f"self-verification, {args.split}-{args.seed} at {args.rate}: {len(with_ids)} clips with identifiers, "
          f"{len(clean)} clean; redacted audio transcribed again and scored")
    print(f"  {'':34}" + "".join(f"{'self_verify=' + s:>18}" for s in SIDES))

    def row(label: str, cells: list[str]) -> None:
        print(f"  {label:34}" + "".join(f"{c:>18}" for c in cells))

    def leak_free(side: str) -> str:
        k = sum(not s[side].leaked for _, s, _ in with_ids)
        return f"{k / len(with_ids):.2f} ({k}/{len(with_ids)})" if with_ids else "n/a"

    row("redacted audio leak-free clips", [leak_free(s) for s in SIDES])
    for typ in TYPES:
        if total[typ]:
            row(f"{typ} still heard", [f"{sum(s[side].leaked.count(typ) for _, s, _ in with_ids)}/{total[typ]}"
                                       for side in SIDES])
    row("audio redacted, clips with ids (s)", [f"{sum(s[side].redacted_s for _, s, _ in with_ids):.1f}"
                                               for side in SIDES])
    row("audio redacted, clean clips (s)", [f"{sum(s[side].redacted_s for _, s, _ in clean):.1f}" for side in SIDES])
    cpu = {side: sum(s[side].cpu_s for _, s, _ in rows) for side in SIDES}
    row("pipeline CPU, no classifier (s)", [f"{cpu[side]:.1f}" for side in SIDES])
    verdicts = Counter(s["on"].verdict for _, s, _ in rows)
    print(f"  verdicts (on): {dict(sorted(verdicts.items()))}")
    print(f"  CPU on/off: {cpu['on'] / cpu['off']:.2f}x")
    shown = 0
    for spec, sides, heard in rows:
        if shown >= args.show or sides["off"].leaked == sides["on"].leaked:
            continue
        shown += 1
        print(f"DIFF {spec.id} off={','.join(sides['off'].leaked) or '-'} on={','.join(sides['on'].leaked) or '-'}"
              f"\n    spoken: {spec.text}\n    off heard: {heard['off']!r}\n    on heard:  {heard['on']!r}")


if __name__ == "__main__":
    main()
