"""Call-reason classifier quality: per-label accuracy, confusions, latency; lexicon, textcat and combined.

Part 1 scores the generated splits (``bench/data/call_reason_{train,dev,test}.jsonl``, from
``bench.reasongen``): accuracy and a confusion matrix for the lexicon alone, the textcat alone and the shipped
combination, on train (the textcat was fitted on it), dev (other templates and slot values) and test (a third
set of templates and pools, written later and never tuned on: the honest number).
Part 2 is the older hand-written set below.

The lexicon in models/data/taxonomy_fi.yaml was tuned on the ``train`` rows only; the ``test`` rows are the
honest number. ``all`` rows are printed too, labelled as such (they include the rows the lexicon saw).
``whisper`` rows are real faster-whisper base output (on espeak-ng speech), shown separately.

Because one author wrote both the rows and the lexicon, the bench also re-scores the held-out rows after
seeded ASR-like corruption (dropped/doubled/confused letters, split and merged words, no case or
punctuation) to show how fast accuracy falls as transcripts get worse than the hand-written ones.

    .venv/bin/python bench/classify_quality.py [--data PATH] [--taxonomy PATH] [--errors]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.classify import DEFAULT_TAXONOMY, CallReasonClassifier  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "data" / "call_reasons_fi.jsonl"
GENERATED = ROOT / "bench" / "data"


def load_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def report(title: str, rows: list[dict], preds: dict[str, str], labels: tuple[str, ...]) -> float:
    """Print accuracy per gold label (= recall), precision, overall accuracy and the confusions."""
    print(f"\n== {title}: {len(rows)} rows ==")
    print(f"{'label':<15} {'n':>3} {'acc':>6} {'prec':>6}")
    for label in labels:
        gold = [r for r in rows if r["label"] == label]
        hits = sum(preds[r["id"]] == label for r in gold)
        predicted = sum(preds[r["id"]] == label for r in rows)
        prec = f"{hits / predicted:.2f}" if predicted else "  -"
        acc = f"{hits / len(gold):.2f}" if gold else "  -"
        print(f"{label:<15} {len(gold):>3} {acc:>6} {prec:>6}")
    correct = sum(preds[r["id"]] == r["label"] for r in rows)
    overall = correct / len(rows) if rows else 0.0
    styles = sorted({r.get("style", "?") for r in rows})
    by_style = ", ".join(
        f"{s} {sum(preds[r['id']] == r['label'] for r in rows if r.get('style') == s)}"
        f"/{sum(r.get('style') == s for r in rows)}" for s in styles)
    print(f"overall accuracy {overall:.3f} ({correct}/{len(rows)}; by style: {by_style})")
    confusions = Counter((r["label"], preds[r["id"]]) for r in rows if preds[r["id"]] != r["label"])
    if confusions:
        print("confusions (gold -> predicted: n): " + "; ".join(
            f"{g} -> {p}: {n}" for (g, p), n in confusions.most_common()))
    return overall


_SIMILAR = {"d": "t", "t": "d", "ä": "e", "ö": "o", "y": "u", "k": "g", "p": "b", "i": "e", "s": "z"}


def asr_noise(text: str, rate: float, rng: random.Random) -> str:
    """Whisper-base-like damage: each word of 4+ letters is hit with probability ``rate``."""
    words = re.findall(r"\[[^\]]+\]|[\wåäö-]+", text.lower())
    out: list[str] = []
    merge_next = False
    for w in words:
        if merge_next and out:
            out[-1] += w
            merge_next = False
            continue
        if w.startswith("[") or len(w) < 4 or rng.random() >= rate:
            out.append(w)
            continue
        op, i = rng.choice(("drop", "double", "similar", "split", "merge")), rng.randrange(1, len(w) - 1)
        if op == "drop":
            w = w[:i] + w[i + 1:]
        elif op == "double":
            w = w[:i] + w[i] + w[i:]
        elif op == "similar":
            spots = [j for j, c in enumerate(w) if c in _SIMILAR]
            if spots:
                j = rng.choice(spots)
                w = w[:j] + _SIMILAR[w[j]] + w[j + 1:]
        elif op == "split":
            w = w[:i] + " " + w[i:]
        else:
            merge_next = True
        out.append(w)
    return " ".join(out)


def confusion(rows: list[dict], preds: dict[str, str], labels: tuple[str, ...]) -> None:
    """Rows gold, columns predicted (first four letters of the label)."""
    print(f"{'gold/pred':<14}" + "".join(f"{lb[:4]:>6}" for lb in labels))
    for g in labels:
        print(f"{g:<14}" + "".join(
            f"{sum(r['label'] == g and preds[r['id']] == p for r in rows):>6}" for p in labels))


def generated_report(clf: CallReasonClassifier) -> None:
    """Lexicon, textcat, combined (and the vector softmax) on the generated train, dev and test splits, with
    confusion matrices."""
    methods = {"lexicon": clf.classify_lexicon, "textcat": clf.classify_textcat, "combined": clf.classify}
    if clf.vectors is not None:  # the word-vector softmax alone (mixed into the textcat's probabilities)
        methods = {**methods, "vectors": clf.classify_vectors}
    summary: list[str] = []
    for split in ("train", "dev", "test"):
        path = GENERATED / f"call_reason_{split}.jsonl"
        if not path.is_file():
            print(f"\n(no {path}; run python -m bench.reasongen.generate)")
            return
        rows = load_rows(path)
        for name, fn in methods.items():
            preds = {r["id"]: fn(r["text"])[0].label for r in rows}
            acc = report(f"generated {split} split, {name}", rows, preds, clf.labels)
            confusion(rows, preds, clf.labels)
            summary.append(f"{split:<6}{name:<10}{acc:.3f}")
    print("\n== generated split summary (accuracy) ==\n" + "\n".join(summary))


def noise_report(clf: CallReasonClassifier, rows: list[dict], rates: tuple[float, ...], seeds: int) -> None:
    print(f"\n== HELD-OUT test split under simulated ASR damage (mean over {seeds} seeds) ==")
    for rate in rates:
        accs = []
        for seed in range(seeds):
            rng = random.Random(seed)
            accs.append(sum(clf.classify(asr_noise(r["text"], rate, rng))[0].label == r["label"]
                            for r in rows) / len(rows))
        print(f"words damaged {rate:>4.0%}: accuracy {statistics.mean(accs):.3f} "
              f"(min {min(accs):.3f}, max {max(accs):.3f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--taxonomy", type=Path, default=DEFAULT_TAXONOMY)
    ap.add_argument("--errors", action="store_true", help="list misclassified ids with the terms that fired")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    clf = CallReasonClassifier(taxonomy_path=args.taxonomy)
    load_s = time.perf_counter() - t0
    rows = load_rows(args.data)

    cold: list[float] = []
    preds: dict[str, str] = {}
    for r in rows:  # first pass: lemma cache cold for every new word
        t = time.perf_counter()
        preds[r["id"]] = clf.classify(r["text"])[0].label
        cold.append((time.perf_counter() - t) * 1000)
    warm: list[float] = []
    for r in rows:
        t = time.perf_counter()
        clf.classify(r["text"])
        warm.append((time.perf_counter() - t) * 1000)

    info = clf.model_info
    st = info.settings
    print(f"classifier {info.name} {info.version} taxonomy={st['taxonomy']} v{st['taxonomy_version']} "
          f"sha256={info.sha256[:12]} lemmatiser={st['lemmatiser']}")
    print(f"data {args.data.name}: {len(rows)} rows, splits {dict(Counter(r['split'] for r in rows))}")
    print(f"load {load_s * 1000:.0f} ms; per transcript cold mean {statistics.mean(cold):.2f} ms "
          f"max {max(cold):.2f} ms; warm mean {statistics.mean(warm):.2f} ms max {max(warm):.2f} ms")

    generated_report(clf)
    print(f"\n##### hand-written set {args.data.name} (combined classifier) #####")
    test = [r for r in rows if r["split"] == "test"]
    train = [r for r in rows if r["split"] == "train"]
    report("HELD-OUT test split (lexicon never tuned on these)", test, preds, clf.labels)
    report("train split (lexicon tuned on these)", train, preds, clf.labels)
    report("ALL rows (train + test)", [r for r in rows if r["split"] in {"train", "test"}], preds, clf.labels)
    whisper = [r for r in rows if r["split"] == "whisper"]
    if whisper:
        print(f"\n== real faster-whisper base output (espeak-ng speech; {len(whisper)} rows) ==")
        for r in whisper:
            print(f"  {r['id']}: gold {r['label']}, predicted {preds[r['id']]}")
    noise_report(clf, test, rates=(0.1, 0.2, 0.3, 0.5), seeds=5)

    if args.errors:
        print("\nmisclassified (id: gold -> predicted; terms that fired):")
        for r in rows:
            if preds[r["id"]] != r["label"]:
                fired = {k: v for k, v in clf.explain(r["text"]).items() if v}
                print(f"  {r['id']} [{r['split']}]: {r['label']} -> {preds[r['id']]}; {fired}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
