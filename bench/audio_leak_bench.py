"""End-to-end identifier leaks on generated spoken clips: bare ASR vs the real pipeline, 16 kHz and 8 kHz.

Run: ``.venv/bin/python bench/audio_leak_bench.py [--split dev|train] [--rate 16k|8k|both] [--n N] [--seed S]
[--show N] [--jsonl FILE]``, or ``--from-jsonl FILE`` to re-score stored ASR text through the current analyzer.

The clips come from ``bench/audio_clips.py`` (``bench.callgen`` lines read by espeak-ng voices at 120–180 wpm,
some with light noise; 16 kHz PCM and 8 kHz μ-law 300–3400 Hz). Rules are tuned on ``train``; numbers are
reported on ``dev``.

Each clip goes through ``service.pipeline.build.get_pipeline`` in-process, exactly as ``puheturva process`` runs it
(decode → ASR → detect → redact → ...). One run gives both sides: the unredacted ASR (``raw_turns``: what
would leak with no redaction) and the redacted transcript. Scoring is ``../shared/tools/audio_leak.py``'s
(re-implemented in ``bench/_corpus.py``): every gold identifier of a clip is scored with ``leaks``, Y-tunnus
and customer numbers as digit identifiers like a phone number (the tool itself ignores those two types); a
clip is leak-free when none of its identifiers leaks; a clean clip must keep 70 % of its tokens.

``--from-jsonl`` is the fast loop for detection work: no ASR, the stored raw turns (with their timed words and
word probabilities) go through the current ``models.nlp.default_analyzer()`` and ``redaction.redact`` via the
pipeline's own text stage (``detect_and_redact``: the previous turn's tail as context, as in a call; a
one-line clip is a single turn). The redacted text is then what the pipeline would write for the same ASR.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._corpus import leaks, masked_tokens, over_redacted  # noqa: E402
from bench.audio_clips import (  # noqa: E402
    DEFAULT_N,
    DEFAULT_ROOT,
    DEFAULT_SEED,
    RATES,
    TYPES,
    ClipGold,
    ClipSpec,
    clip_set,
    describe,
)

DIGIT_LIKE = {"YTUNNUS": "PHONE", "CUSTOMER_NUMBER": "PHONE"}  # scored as digit runs like a phone number
TARGET_8K = 0.95


def leaked_types(gold: Iterable[ClipGold], text: str) -> list[str]:
    """The types of the gold identifiers that ``audio_leak.py``'s rule finds recoverable from ``text``."""
    return [g.type for g in gold if leaks(DIGIT_LIKE.get(g.type, g.type), g.value, text)]


@dataclass
class ClipResult:
    """One clip at one rate: the ASR text (unredacted), the pipeline's redacted text and what leaks from each."""

    id: str
    split: str
    seed: int
    rate: str
    voice: str
    speed: int
    noise: str | None
    text: str  # what was spoken
    gold: list[dict[str, Any]]
    raw: str  # the unredacted ASR text (turns joined by newlines, as the redacted text is)
    redacted: str
    seconds: float
    leaked: list[str]
    bare_leaked: list[str]
    spoken_leaked: list[str]  # what the rule finds in the spoken text itself (a verbatim, unredacted transcript)
    over_redacted: bool | None  # clean clips only
    bare_over_redacted: bool | None
    turns: list[dict[str, Any]]  # the pipeline's raw turns with their timed words and word probabilities

    @property
    def golds(self) -> list[ClipGold]:
        return [ClipGold(**g) for g in self.gold]


def score(spec_like: dict[str, Any], turns: list[dict[str, Any]], redacted: str, seconds: float) -> ClipResult:
    gold = [ClipGold(**g) for g in spec_like["gold"]]
    raw = "\n".join(t["raw_text"] for t in turns)
    clean = not gold
    return ClipResult(
        id=spec_like["id"], split=spec_like["split"], seed=spec_like["seed"], rate=spec_like["rate"],
        voice=spec_like["voice"], speed=spec_like["speed"], noise=spec_like["noise"], text=spec_like["text"],
        gold=[asdict(g) for g in gold], raw=raw, redacted=redacted, seconds=round(seconds, 3),
        leaked=leaked_types(gold, redacted), bare_leaked=leaked_types(gold, raw),
        spoken_leaked=leaked_types(gold, spec_like["text"]),
        over_redacted=over_redacted(redacted) if clean else None,
        bare_over_redacted=over_redacted(raw) if clean else None, turns=turns)


# -------------------------------------------------------------------------------------------- the two modes

def run_pipeline(specs: Sequence[ClipSpec], dirs: dict[str, Path], rates: Sequence[str],
                 sink: Callable[[ClipResult], None] | None = None) -> list[ClipResult]:
    """Every clip at every rate through the real pipeline (models loaded once); ``sink`` hears each result."""
    from models.audio import decode
    from service.pipeline.build import RuntimeOptions, get_pipeline

    pipeline = get_pipeline(RuntimeOptions())
    results = []
    for rate in rates:
        started = time.perf_counter()
        for k, spec in enumerate(specs, 1):
            t0 = time.perf_counter()
            try:
                res = pipeline.process(decode(dirs[rate] / f"{spec.id}.wav"), None)
            except Exception as e:
                raise RuntimeError(f"pipeline failed on clip {spec.id} ({rate})") from e
            results.append(score({**spec.to_json(), "rate": rate}, [asdict(turn) for turn in res.raw_turns],
                                 res.transcript_json()["text"], time.perf_counter() - t0))
            if sink:
                sink(results[-1])
            if k % 10 == 0 or k == len(specs):
                print(f"  {rate}: {k}/{len(specs)} clips, {time.perf_counter() - started:.0f} s", file=sys.stderr,
                      flush=True)
    return results


def rescore(rows: Sequence[dict[str, Any]], low_confidence: bool = True) -> list[ClipResult]:
    """Stored raw ASR turns through the current text stage, no ASR.

    The stage is the real pipeline's ``detect_and_redact`` (``models.nlp.default_analyzer()`` and
    ``redaction.redact`` with the runtime's options): the turns carry their timed words and word
    probabilities, so whatever the analyzer reads from them is there too. Loading the pipeline loads the ASR
    model (about a second) but never runs it. ``low_confidence=False``: the words' probabilities are not
    passed (``PUHETURVA_LOW_CONFIDENCE_REDACTION=false``), to measure what that policy costs and buys.
    """
    from redaction.audio import TimedWord
    from service.pipeline import Turn
    from service.pipeline.build import RuntimeOptions, get_pipeline

    pipeline = get_pipeline(RuntimeOptions(low_confidence_redaction=low_confidence))
    out = []
    for row in rows:
        t0 = time.perf_counter()
        turns = [Turn(**{**d, "words": tuple(TimedWord(**w) for w in d["words"])}) for d in row["turns"]]
        results, _ = pipeline.detect_and_redact(turns, [])
        out.append(score(row, row["turns"], "\n".join(r.text for r in results), time.perf_counter() - t0))
    return out


# -------------------------------------------------------------------------------------------------- report

def _frac(k: int, n: int) -> str:
    return f"{k / n:.2f} ({k}/{n})" if n else "n/a"


def _row(label: str, *cells: str) -> str:
    return f"  {label:32}" + "".join(f"{c:>15}" for c in cells)


def rate_table(results: Sequence[ClipResult], rate: str, seconds_label: str, bare_source: str = "(same run)"
               ) -> list[str]:
    """Per rate: leak-free clips and leaks by type for the spoken text, the bare ASR and the pipeline.

    The "spoken text" column applies the rule to what was said, verbatim: the rule only reads digit words and
    digits, so an identifier read as compound numerals ("kaksikymmentäseitsemän") is invisible to it unless
    the ASR writes digits. "rule-visible clips" counts only clips whose spoken text the rule does catch.
    """
    rs = [r for r in results if r.rate == rate]
    with_ids = [r for r in rs if r.gold]
    visible = [r for r in with_ids if r.spoken_leaked]
    heard = [r for r in with_ids if r.raw.strip()]
    clean = [r for r in rs if not r.gold]
    total = Counter(g["type"] for r in with_ids for g in r.gold)
    sides = ("spoken_leaked", "bare_leaked", "leaked")
    counts = [Counter(t for r in rs for t in getattr(r, side)) for side in sides]

    def leak_free(clips: list[ClipResult], side: str) -> str:
        return _frac(sum(not getattr(r, side) for r in clips), len(clips))

    band = ", μ-law 300–3400 Hz" if rate == "8k" else ""
    lines = [f"{rate} ({RATES[rate]} Hz{band}): {len(rs)} clips, {len(with_ids)} with identifiers "
             f"({len(visible)} rule-visible), {len(clean)} clean",
             _row("", "spoken text", "bare ASR", "pipeline"),
             _row("leak-free clips", *(leak_free(with_ids, side) for side in sides)),
             _row("leak-free, rule-visible clips", "", *(leak_free(visible, side) for side in sides[1:])),
             _row("leak-free, ASR heard something", "", *(leak_free(heard, side) for side in sides[1:]))]
    lines += [_row(f"{typ} leaked", *(f"{c[typ]}/{total[typ]}" for c in counts)) for typ in TYPES if total[typ]]
    # An empty transcript leaks nothing in text, but then nothing is redacted in the audio either: Whisper's
    # no-speech gate drops whole garbled telephone clips (no_speech_prob just over 0.6, avg_logprob < -1).
    lines.append(_row("ASR heard nothing (id clips)", "", f"{len(with_ids) - len(heard)}/{len(with_ids)}", ""))
    lines.append(_row("clean clips over-redacted", "", f"{sum(bool(r.bare_over_redacted) for r in clean)}/{len(clean)}",
                      f"{sum(bool(r.over_redacted) for r in clean)}/{len(clean)}"))
    masked = [masked_tokens(r.redacted) for r in clean]
    lines.append(_row("clean clips' tokens masked", "", "", f"{sum(m for m, _ in masked)}/{sum(n for _, n in masked)}"))
    lines.append(_row(seconds_label, "", bare_source, f"{sum(r.seconds for r in rs):.1f} s"))
    return lines


def show_leaks(results: Sequence[ClipResult], n: int) -> list[str]:
    out = []
    for r in [r for r in results if r.leaked][:n]:
        golds = "; ".join(f"{g.type}={g.value}" for g in r.golds)
        out += [f"LEAK {r.id} {r.rate} {','.join(r.leaked)} [{r.voice} {r.speed} wpm{' ' + r.noise if r.noise else ''}]"
                f" gold: {golds}",
                f"    spoken:   {r.text}", f"    asr:      {r.raw!r}", f"    redacted: {r.redacted!r}"]
    for r in [r for r in results if r.over_redacted][:n]:
        out.append(f"OVER-REDACTED {r.id} {r.rate}: {r.redacted!r}")
    return out


def summary_line(results: Sequence[ClipResult], split: str, rates: Sequence[str], visible_only: bool = False
                 ) -> str:
    """The one-line result; ``visible_only``: only clips whose spoken identifiers the leak rule can see."""
    def leak_free(rate: str, bare: bool) -> tuple[int, int]:
        rs = [r for r in results if r.rate == rate and r.gold and (r.spoken_leaked or not visible_only)]
        return sum(not (r.bare_leaked if bare else r.leaked) for r in rs), len(rs)

    order = [r for r in ("8k", "16k") if r in rates]
    piped = ", ".join(f"{rate} leak-free {_frac(*leak_free(rate, False))}" for rate in order)
    bare = ", ".join(f"{rate} {_frac(*leak_free(rate, True)).split()[0]}" for rate in order)
    clean = [r for r in results if not r.gold and r.rate in rates]
    if visible_only:
        return f"audio {split}, rule-visible clips only: {piped}; bare ASR {bare}"
    return (f"audio {split}: {piped}; bare ASR {bare}; "
            f"clean over-redacted {sum(bool(r.over_redacted) for r in clean)}/{len(clean)}")


def compare_with_stored(stored: Sequence[dict[str, Any]], now: Sequence[ClipResult]) -> str:
    fixed = sum(1 for s, r in zip(stored, now, strict=True) if s["leaked"] and not r.leaked)
    broke = sum(1 for s, r in zip(stored, now, strict=True) if not s["leaked"] and r.leaked)
    over = sum(1 for s, r in zip(stored, now, strict=True) if not s["over_redacted"] and r.over_redacted)
    return (f"vs the stored run: {fixed} clips no longer leak, {broke} newly leak, "
            f"{over} clean clips newly over-redacted")


# ---------------------------------------------------------------------------------------------------- main

def _jsonl(r: ClipResult) -> str:
    return json.dumps(asdict(r), ensure_ascii=False) + "\n"


def measure(args: argparse.Namespace, rates: list[str]) -> list[ClipResult]:
    """Render (what is missing of) the clip set and run the pipeline on it, streaming results to --jsonl."""
    cs = clip_set(args.split, args.seed, args.n, args.clips_root)
    print(f"clips {cs.root} ({cs.rendered} rendered now): {describe(cs.specs)}", file=sys.stderr, flush=True)
    if not args.jsonl:
        return run_pipeline(cs.specs, cs.dirs, rates)
    args.jsonl.parent.mkdir(parents=True, exist_ok=True)
    with args.jsonl.open("w", encoding="utf-8") as out:  # clip by clip: a cut run keeps what it transcribed

        def sink(r: ClipResult) -> None:
            out.write(_jsonl(r))
            out.flush()

        return run_pipeline(cs.specs, cs.dirs, rates, sink=sink)


def report(results: Sequence[ClipResult], split: str, rates: list[str], label: str, show: int,
           bare_source: str = "(same run)") -> None:
    for rate in rates:
        print("\n".join(rate_table(results, rate, label, bare_source)))
    if "8k" in rates:
        rs = [r for r in results if r.rate == "8k" and r.gold]
        ok = sum(not r.leaked for r in rs) / len(rs) if rs else 0.0
        print(f"8k target leak-free >= {TARGET_8K}: {'met' if ok >= TARGET_8K else 'NOT met'} ({ok:.2f})")
    for line in show_leaks(results, show):
        print(line)
    print(summary_line(results, split, rates, visible_only=True))
    print(summary_line(results, split, rates))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=("dev", "train"), default="dev")
    ap.add_argument("--rate", choices=("16k", "8k", "both"), default="both")
    ap.add_argument("--n", type=int, default=DEFAULT_N, help=f"clips per split (default {DEFAULT_N})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--clips-root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print N leaking clips with their texts")
    ap.add_argument("--jsonl", type=Path, help="write per-clip results (raw ASR, redacted text, leaks) here")
    ap.add_argument("--from-jsonl", type=Path, metavar="FILE",
                    help="no ASR: re-score FILE's stored raw ASR through the current analyzer")
    ap.add_argument("--without-low-confidence", action="store_true",
                    help="with --from-jsonl: do not pass word probabilities (the low-confidence policy off)")
    args = ap.parse_args()
    rates = list(RATES) if args.rate == "both" else [args.rate]

    if not args.from_jsonl:
        results = measure(args, rates)
        print(f"audio {args.split}-{args.seed}: the real pipeline vs its own unredacted ASR")
        if args.jsonl:
            print(f"per-clip results: {args.jsonl}")
        again = rescore([asdict(r) for r in results])  # same code, same process: must agree clip for clip
        same = sum(a.redacted == r.redacted for a, r in zip(again, results, strict=True))
        print(f"--from-jsonl re-scoring reproduces the pipeline's redacted text on {same}/{len(results)} clips")
        report(results, args.split, rates, "seconds (ASR + whole pipeline)", args.show)
        return
    stored = [json.loads(line) for line in args.from_jsonl.read_text(encoding="utf-8").splitlines() if line]
    stored = [row for row in stored if row["rate"] in rates]
    split = stored[0]["split"] if stored else args.split
    rates = [r for r in rates if any(row["rate"] == r for row in stored)]
    results = rescore(stored, low_confidence=not args.without_low_confidence)
    if args.jsonl:
        args.jsonl.write_text("".join(_jsonl(r) for r in results), encoding="utf-8")
    policy = "off" if args.without_low_confidence else "on"
    print(f"audio {split}: re-scored {args.from_jsonl} through the current text stage (no ASR), "
          f"low-confidence policy {policy}")
    print(compare_with_stored(stored, results))
    report(results, split, rates, "seconds (text stage only)", args.show, bare_source="(stored)")


if __name__ == "__main__":
    main()
