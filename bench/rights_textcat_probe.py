"""Would a small trained text classifier help the rights lexicon? A measurement, not a shipped component.

Trains a spaCy ``textcat_multilabel`` (bag-of-words over unigrams and bigrams, blank Finnish tokenizer) on
the ``train`` split plus the even-numbered clean lines, then scores it, the lexicon, and their union (a kind
found by either) on ``dev``, ``test`` and the odd-numbered clean lines. Kinds only (no channels). Seeded;
CPU only; about a minute on two cores.

    .venv/bin/python bench/rights_textcat_probe.py [--epochs N] [--threshold T]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402
from spacy.training import Example  # noqa: E402

from models.rights_requests import KINDS, RightsDetector  # noqa: E402

DATA = ROOT / "bench" / "data"


def load(split: str) -> list[dict]:
    with (DATA / f"rights_{split}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def gold(row: dict) -> set[str]:
    return {lb["kind"] for lb in row["labels"]}


def train(rows: list[dict], epochs: int, seed: int = 14) -> spacy.language.Language:
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("fi")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
        "no_output_layer": False}})
    for kind in KINDS:
        textcat.add_label(kind)
    examples = [Example.from_dict(nlp.make_doc(r["text"].lower()),
                                  {"cats": {k: float(k in gold(r)) for k in KINDS}}) for r in rows]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in spacy.util.minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer)
    return nlp


def prf(rows: list[dict], preds: list[set[str]], kind: str) -> tuple[float, float]:
    tp = sum(kind in p and kind in gold(r) for r, p in zip(rows, preds, strict=True))
    fp = sum(kind in p and kind not in gold(r) for r, p in zip(rows, preds, strict=True))
    fn = sum(kind not in p and kind in gold(r) for r, p in zip(rows, preds, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args(argv)
    clean = load("clean")
    nlp = train(load("train") + clean[0::2], args.epochs)
    detector = RightsDetector.from_default()
    for split, rows in (("dev", load("dev")), ("test", load("test")), ("clean (odd lines)", clean[1::2])):
        texts = [r["text"] for r in rows]
        cat = [{k for k, v in doc.cats.items() if v >= args.threshold}
               for doc in nlp.pipe(t.lower() for t in texts)]
        lex = [{h.kind for h in detector.detect_text(t)} for t in texts]
        union = [a | b for a, b in zip(cat, lex, strict=True)]
        print(f"\n== {split}: {len(rows)} rows ==")
        print(f"{'kind':<22} {'textcat P/R':>12} {'lexicon P/R':>12} {'union P/R':>12}")
        for kind in KINDS:
            cells = " ".join(f"{'{:.2f}/{:.2f}'.format(*prf(rows, p, kind)):>12}" for p in (cat, lex, union))
            print(f"{kind:<22} {cells}")
        print("rows with a false item: " + ", ".join(
            f"{name} {sum(bool(p - gold(r)) for r, p in zip(rows, preds, strict=True))}"
            for name, preds in (("textcat", cat), ("lexicon", lex), ("union", union))))


if __name__ == "__main__":
    main()
