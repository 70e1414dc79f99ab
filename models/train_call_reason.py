"""Train the call-reason textcat on the generated train split and write it to ``models/data``.

    .venv/bin/python -m models.train_call_reason [--train PATH] [--out DIR] [--seed 0] [--epochs 6]
        [--ngram-size 1] [--augment 0] [--augment-rate 0.2] [--vectors-out FILE] [--vec-l2 0.001]
        [--vec-steps 300]

It also fits the word-vector softmax (``models/call_reason_vectors.py``: mean floret vector of the installed
``spacy_fi_experimental_web_md``, deterministic full-batch training) and writes its weights to
``--vectors-out`` (``models/data/call_reason_vectors.npz``; ``--vectors-out ''`` skips it).

Reproducible: a fixed seed for spaCy/thinc and for the shuffling, examples in file order, no dropout
randomness beyond the seeded generator. The input text is ``CallReasonClassifier.feature_text`` (the same
Voikko lemma features the lexicon matches), so the lexicon and the model see a transcript the same way.
Only the train split is read here; ``bench/call_reason_cv.py`` compares settings on it (grouped by template),
``bench/classify_quality.py`` reports dev and test.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

from models.call_reason_textcat import DEFAULT_TEXTCAT, textcat_config
from models.call_reason_vectors import DEFAULT_VECTOR_MODEL, load_static_vectors, train_vector_model
from models.classify import CallReasonClassifier

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRAIN = ROOT / "bench" / "data" / "call_reason_train.jsonl"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def word_dropout(text: str, rate: float, rng: random.Random) -> str:
    """A copy of ``text`` with each word left out with probability ``rate`` (at least one word kept)."""
    words = text.split()
    kept = [w for w in words if rng.random() >= rate]
    return " ".join(kept or words[:1])


def train(rows: list[dict[str, str]], out: Path, seed: int = 0, epochs: int = 6, ngram_size: int = 1,
          length: int = 1 << 15, dropout: float = 0.0, augment: int = 0, augment_rate: float = 0.2,
          verbose: bool = True) -> None:
    """Fit a textcat with the taxonomy's labels on ``rows`` and save it (replacing ``out``).

    ``augment`` extra copies of every line are added with words left out at ``augment_rate`` (seeded), so the
    model cannot lean on a single word of a template and spreads its weight over everything a line says."""
    import spacy
    from spacy.pipeline import TextCategorizer
    from spacy.training import Example
    from spacy.util import fix_random_seed  # type: ignore[attr-defined]  # re-exported from thinc

    fix_random_seed(seed)
    lexicon = CallReasonClassifier(textcat_path=None, vectors_path=None)  # features only; no model to read yet
    labels = lexicon.labels
    nlp = spacy.blank("fi")
    textcat: TextCategorizer = nlp.add_pipe(  # type: ignore[assignment]  # typed as a callable
        "textcat", config=textcat_config(ngram_size=ngram_size, length=length))
    for label in labels:
        textcat.add_label(label)
    rng = random.Random(seed)
    texts = [(r["text"], r["label"]) for r in rows]
    texts += [(word_dropout(r["text"], augment_rate, rng), r["label"]) for _ in range(augment) for r in rows]
    examples = [Example.from_dict(nlp.make_doc(lexicon.feature_text(text)),
                                  {"cats": {lb: float(lb == label) for lb in labels}}) for text, label in texts]
    optimizer = nlp.initialize(lambda: examples)
    for epoch in range(epochs):
        order = examples[:]
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for start in range(0, len(order), 16):
            nlp.update(order[start:start + 16], sgd=optimizer, losses=losses, drop=dropout)
        if verbose:
            print(f"epoch {epoch + 1:>2}: loss {losses.get('textcat', 0.0):.4f}")
    nlp.meta.update({"name": "puheturva_call_reason_textcat", "version": "1.0.0",
                     "description": "Call-reason textcat over Voikko lemma features (see models/classify.py)",
                     "labels": {"textcat": list(labels)},
                     "training": {"rows": len(rows), "seed": seed, "epochs": epochs, "ngram_size": ngram_size,
                                  "length": length, "dropout": dropout, "augment": augment,
                                  "augment_rate": augment_rate}})
    if out.exists():
        shutil.rmtree(out)
    # vocab vectors and lookups are empty for a blank pipeline; the strings are the learned features
    nlp.to_disk(out)


def train_vectors(rows: list[dict[str, str]], out: Path, l2: float = 1e-3, steps: int = 300) -> None:
    """Fit the word-vector softmax on ``rows`` with the taxonomy's labels and save its weights to ``out``."""
    labels = CallReasonClassifier(textcat_path=None, vectors_path=None).labels
    source = load_static_vectors()
    feats = source.embed_all([r["text"] for r in rows])
    model = train_vector_model(feats, [r["label"] for r in rows], labels, source, l2=l2, steps=steps)
    model.save(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    ap.add_argument("--out", type=Path, default=DEFAULT_TEXTCAT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--ngram-size", type=int, default=1)
    ap.add_argument("--augment", type=int, default=0, help="word-dropout copies per line")
    ap.add_argument("--augment-rate", type=float, default=0.2)
    ap.add_argument("--vectors-out", default=str(DEFAULT_VECTOR_MODEL), help="'' to skip the vector softmax")
    ap.add_argument("--vec-l2", type=float, default=1e-3)
    ap.add_argument("--vec-steps", type=int, default=300)
    args = ap.parse_args(argv)
    rows = [r for r in read_rows(args.train) if r.get("split", "train") == "train"]
    train(rows, args.out, seed=args.seed, epochs=args.epochs, ngram_size=args.ngram_size, augment=args.augment,
          augment_rate=args.augment_rate)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) from {len(rows)} rows")
    if args.vectors_out:
        vec_out = Path(args.vectors_out)
        train_vectors(rows, vec_out, l2=args.vec_l2, steps=args.vec_steps)
        print(f"wrote {vec_out} ({vec_out.stat().st_size / 1e3:.1f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
