"""Rights-request detector quality: precision/recall/F1 per kind on the generated splits, beside a plain
substring-keyword baseline, and false items on the clean customer-service lines.

The lexicon (models/data/rights_requests_fi.yaml) was tuned on ``train`` and then on ``dev``'s errors;
``test`` comes from a third set of templates and phrasings (bench/rightsgen/templates.py), written before the
dev tuning. Its misses were then read to generalise the lexicon, so it too became a tuning split; ``heldout``
(a fourth template set with its own slot pools, written before that) is never looked at line by line and is
the honest number for unseen wordings. A marketing hit counts only with the right channel. Regenerate the data
with ``python -m bench.rightsgen.generate``.

    .venv/bin/python bench/rights_quality.py [--errors] [--noise]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classify_quality import asr_noise  # noqa: E402
from models.rights_requests import KINDS, RightsDetector  # noqa: E402

DATA = ROOT / "bench" / "data"
Pair = tuple[str, str | None]
Predict = Callable[[str], set[Pair]]

# The baseline: a kind fires when any of its substrings is in the lower-cased line; marketing channels by
# substring too. What a first attempt without lemmas, negation or hedges would do.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "access": ("tietoja minusta", "kopio", "tarkastus", "tietopyyn", "mitä tietoja"),
    "erasure": ("poista", "unohta", "poisto"),
    "rectification": ("väärin", "korja", "virheelli", "oikais"),
    "restriction": ("rajoit", "jäädyt", "keskeyt"),
    "portability": ("siirt", "koneluettav"),
    "objection": ("vastust", "profiloin", "analysoin"),
    "marketing_prohibition": ("markkinointikielto", "en halua mainok", "älkää lähettäkö", "en halua enää",
                              "älkää soittako"),
    "marketing_consent": ("saa lähettää", "luvan markkinointiin", "suostu", "sallin", "uutiskirje"),
}
CHANNEL_KEYWORDS = {"email": ("sähköpost", "meili", "uutiskirje"), "sms": ("tekstiviesti", "tekstari", "sms"),
                    "phone": ("puhelin", "soit", "puhelu"), "post": ("posti", "kirje")}


def load(split: str) -> list[dict]:
    with (DATA / f"rights_{split}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def gold(row: dict) -> set[Pair]:
    return {(lb["kind"], lb["channel"]) for lb in row["labels"]}


def keyword_predict(text: str) -> set[Pair]:
    low = text.lower()
    out: set[Pair] = set()
    for kind, words in KEYWORDS.items():
        if any(w in low for w in words):
            if kind.startswith("marketing_"):
                chans = [c for c, ws in CHANNEL_KEYWORDS.items() if any(w in low for w in ws)] or ["all"]
                out.update((kind, c) for c in chans)
            else:
                out.add((kind, None))
    return out


def detector_predict(detector: RightsDetector) -> Predict:
    return lambda text: {(h.kind, h.channel) for h in detector.detect_text(text)}


def scores(rows: list[dict], predict: Predict) -> dict[str, tuple[float, float, float, int]]:
    """Per kind: (precision, recall, F1, gold count); precision 1.0 when nothing was predicted."""
    tp = dict.fromkeys(KINDS, 0)
    fp = dict.fromkeys(KINDS, 0)
    fn = dict.fromkeys(KINDS, 0)
    for row in rows:
        g, p = gold(row), predict(row["text"])
        for kind, _ in p & g:
            tp[kind] += 1
        for kind, _ in p - g:
            fp[kind] += 1
        for kind, _ in g - p:
            fn[kind] += 1
    out = {}
    for k in KINDS:
        prec = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0
        rec = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else 1.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[k] = (prec, rec, f1, tp[k] + fn[k])
    return out


def false_items(rows: list[dict], predict: Predict) -> list[tuple[dict, set[Pair]]]:
    return [(r, p) for r in rows if (p := predict(r["text"]))]


def table(title: str, rows: list[dict], predicts: dict[str, Predict]) -> None:
    results = {name: scores(rows, fn) for name, fn in predicts.items()}
    names = list(predicts)
    print(f"\n== {title}: {len(rows)} rows ==")
    print(f"{'kind':<22} {'n':>3} " + " ".join(f"{n + ' P/R/F1':>22}" for n in names))
    for k in KINDS:
        cells = " ".join(f"{'{:.2f} / {:.2f} / {:.2f}'.format(*results[n][k][:3]):>22}" for n in names)
        print(f"{k:<22} {results[names[0]][k][3]:>3} {cells}")
    negatives = [r for r in rows if not r["labels"]]
    print("hard negatives with a false item: " + ", ".join(
        f"{n} {len(false_items(negatives, predicts[n]))}/{len(negatives)}" for n in names))


def noise_report(predict: Predict, rates: tuple[float, ...] = (0.1, 0.2), seeds: int = 3) -> None:
    """Micro precision/recall over all kinds when words are damaged like Whisper base damages them
    (bench/classify_quality.py's ``asr_noise``: dropped, doubled, confused letters, split and merged words)."""
    print(f"\n== lexicon under simulated ASR damage (micro P/R over all kinds, mean of {seeds} seeds) ==")
    splits = {s: load(s) for s in ("dev", "test", "clean")}
    for rate in rates:
        cells = []
        for split, rows in splits.items():
            tp = fp = fn = 0
            for seed in range(seeds):
                rng = random.Random(seed)
                for row in rows:
                    g, p = gold(row), predict(asr_noise(row["text"], rate, rng))
                    tp, fp, fn = tp + len(p & g), fp + len(p - g), fn + len(g - p)
            if split == "clean":
                cells.append(f"clean false items {fp / seeds:.1f}")
            else:
                cells.append(f"{split} P {tp / max(tp + fp, 1):.2f} R {tp / max(tp + fn, 1):.2f}")
        print(f"words damaged {rate:>4.0%}: " + "; ".join(cells))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--errors", action="store_true",
                    help="print the detector's errors on train, dev, test and clean (never heldout)")
    ap.add_argument("--noise", action="store_true", help="also score words damaged like ASR output")
    args = ap.parse_args(argv)
    detector = RightsDetector.from_default()
    predicts: dict[str, Predict] = {"lexicon": detector_predict(detector), "keyword": keyword_predict}
    for split in ("train", "dev", "test"):
        table(split, load(split), predicts)
    table("heldout (NOT tuned on: never read line by line)", load("heldout"), predicts)
    clean = load("clean")
    print(f"\n== clean: {len(clean)} lines ==")
    for name, fn in predicts.items():
        print(f"{name}: {len(false_items(clean, fn))} false items")
    if args.noise:
        noise_report(predicts["lexicon"])
    if args.errors:
        for split in ("train", "dev", "test", "clean"):  # heldout is never looked at line by line
            for row in load(split):
                g, p = gold(row), predicts["lexicon"](row["text"])
                if g != p:
                    print(f"[{split}] {row['text']!r} gold={sorted(g, key=str)} got={sorted(p, key=str)}")


if __name__ == "__main__":
    main()
