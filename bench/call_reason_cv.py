"""Cross-validation of the call-reason textcat settings and combination weight, grouped by template, on the
generated *train* split only (dev and test are never read here).

Each label's train templates are dealt into ``--folds`` groups; a fold's textcat is trained on the lines of
the other groups' templates and scored on its own, so a score says how the model does on sentences it was
not shown, as dev and test ask. Printed: lexicon, textcat and the combination at several weights.

With ``--vectors`` a fold also fits the word-vector softmax (``models/call_reason_vectors.py``) and the grid
adds its share ``VEC_MIX`` in the learned probabilities, ``(1 - mix) * textcat + mix * vectors``, which are
then combined with the lexicon at each weight (``mix 0`` is the textcat alone).

    .venv/bin/python bench/call_reason_cv.py [--folds 4] [--epochs 6] [--ngram-size 1] [--dropout 0.0]
        [--augment 0] [--augment-rate 0.2] [--errors WEIGHT] [--vectors] [--vec-l2 0.001] [--vec-steps 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.call_reason_textcat import load_textcat  # noqa: E402
from models.call_reason_vectors import load_static_vectors, train_vector_model  # noqa: E402
from models.classify import CallReasonClassifier  # noqa: E402
from models.train_call_reason import DEFAULT_TRAIN, read_rows, train  # noqa: E402

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
MIN_ALONE = (0.3, 0.4, 0.6, 0.7)  # with the shipped weight; the shipped 0.5 is "combined <TEXTCAT_WEIGHT>"
VEC_MIX = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0)


def fold_of(rows: list[dict[str, str]], folds: int) -> dict[str, int]:
    """Template id → fold: each label's templates in order, dealt round-robin (every fold has every label)."""
    out: dict[str, int] = {}
    for label in sorted({r["label"] for r in rows}):
        templates = sorted({r["template"] for r in rows if r["label"] == label})
        out.update({t: i % folds for i, t in enumerate(templates)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--ngram-size", type=int, default=1)
    ap.add_argument("--length", type=int, default=1 << 15)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--augment", type=int, default=0)
    ap.add_argument("--augment-rate", type=float, default=0.2)
    ap.add_argument("--errors", type=float, metavar="WEIGHT", help="list the rows the combination at WEIGHT "
                    "gets wrong (train rows only: generated text, placeholders instead of identifiers)")
    ap.add_argument("--vectors", action="store_true", help="also fit the word-vector softmax and grid its mix")
    ap.add_argument("--vec-l2", type=float, default=1e-3)
    ap.add_argument("--vec-steps", type=int, default=300)
    args = ap.parse_args(argv)
    rows = [r for r in read_rows(args.train) if r.get("split", "train") == "train"]
    fold = fold_of(rows, args.folds)
    clf = CallReasonClassifier(textcat_path=None, vectors_path=None)
    hits = {"lexicon": 0, "textcat": 0, **{f"combined {w}": 0 for w in WEIGHTS},
            **{f"min_alone {m}": 0 for m in MIN_ALONE}}
    errors: list[str] = []
    source = load_static_vectors() if args.vectors else None
    feats = source.embed_all([r["text"] for r in rows]) if source is not None else None
    index = {id(r): i for i, r in enumerate(rows)}
    mixes = VEC_MIX if source is not None else ()
    vec_hits = {(m, w): 0 for m in mixes for w in (0.0, *WEIGHTS)}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.folds):
            fit = [r for r in rows if fold[r["template"]] != k]
            held = [r for r in rows if fold[r["template"]] == k]
            out = Path(tmp) / f"fold{k}"
            train(fit, out, seed=args.seed, epochs=args.epochs, ngram_size=args.ngram_size,
                  length=args.length, dropout=args.dropout, augment=args.augment,
                  augment_rate=args.augment_rate, verbose=False)
            model = load_textcat(out)
            vec = None
            if source is not None and feats is not None:
                fit_ix = [index[id(r)] for r in fit]
                vec = train_vector_model(feats[fit_ix], [r["label"] for r in fit], clf.labels, source,
                                         l2=args.vec_l2, steps=args.vec_steps)
                vec_probs = vec.predict_batch(feats[[index[id(r)] for r in held]])
            for i, r in enumerate(held):
                lexicon = clf.classify_lexicon(r["text"])
                probs = model.predict(clf.feature_text(r["text"]))
                hits["lexicon"] += lexicon[0].label == r["label"]
                hits["textcat"] += max(probs, key=lambda lb: probs[lb]) == r["label"]
                for w in WEIGHTS:
                    hits[f"combined {w}"] += clf.combine(lexicon, probs, weight=w)[0].label == r["label"]
                for m in MIN_ALONE:
                    hits[f"min_alone {m}"] += clf.combine(lexicon, probs, min_alone=m)[0].label == r["label"]
                if vec is not None:
                    vp = dict(zip(vec.labels, (float(p) for p in vec_probs[i]), strict=True))
                    for m in mixes:
                        mixed = {lb: (1 - m) * probs[lb] + m * vp[lb] for lb in probs}
                        vec_hits[(m, 0.0)] += max(mixed, key=lambda lb: mixed[lb]) == r["label"]
                        for w in WEIGHTS:
                            vec_hits[(m, w)] += clf.combine(lexicon, mixed, weight=w)[0].label == r["label"]
                if args.errors is not None and (got := clf.combine(lexicon, probs, weight=args.errors)[0].label) \
                        != r["label"]:
                    errors.append(f"{r['template']}: {r['label']} -> {got}: {r['text']!r}")
    print(f"{len(rows)} rows, {len(fold)} templates, {args.folds} folds; epochs {args.epochs} "
          f"ngram {args.ngram_size} length {args.length} dropout {args.dropout} "
          f"augment {args.augment}x{args.augment_rate}")
    print("  ".join(f"{name} {n / len(rows):.3f}" for name, n in hits.items()))
    if mixes:
        print(f"vectors {source.package if source else ''} l2 {args.vec_l2} steps {args.vec_steps}; rows: mix "
              "(share of the vector softmax in the learned probabilities), columns: learned alone, then "
              "combined with the lexicon at each weight")
        print("mix   alone " + " ".join(f"{w:>5}" for w in WEIGHTS))
        for m in mixes:
            print(f"{m:<5} " + " ".join(f"{vec_hits[(m, w)] / len(rows):.3f}" for w in (0.0, *WEIGHTS)))
    print("\n".join(sorted(errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
