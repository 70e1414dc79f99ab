"""Word-vector features for the call-reason classifier: the mean Finnish word vector of a transcript fed to a
small softmax (multinomial logistic) regression.

Why: the bag-of-words textcat (``models/call_reason_textcat.py``) knows only the words and lemma features it
saw in train, and the lexicon only its terms. The floret vectors of the installed spaCy model
``spacy_fi_experimental_web_md`` (50 000 rows × 300, subword hashing, so every word, also an unseen or
misspelled one, gets a vector) place "netti", "laajakaista" and "yhteys" near each other without a training
line that says so. The regression is tiny (300 × labels weights) and trains in seconds with plain numpy
(full-batch gradient descent from zeros: no randomness at all, so training is reproducible).

The vectors are *not* shipped: they are read from the installed spaCy package at load time (only its
``vocab`` directory; nothing is downloaded), and the package's name, version and the sha256 of its vectors
file are recorded in the saved weights and checked on load, so a different vector table is refused rather
than silently producing other features.

A transcript's features: its tokens (``models.nlp.TRANSCRIPT_TOKEN_RE``, placeholders such as
``[HETU]`` left out), each vector scaled to unit length, averaged, and the mean scaled to unit length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from models.nlp import TRANSCRIPT_TOKEN_RE
from models.provenance import sha256_file

__all__ = ["DEFAULT_VECTOR_MODEL", "VECTOR_PACKAGE", "StaticVectors", "VectorModel", "load_static_vectors",
           "load_vector_model", "train_vector_model"]

VECTOR_PACKAGE = "spacy_fi_experimental_web_md"
DEFAULT_VECTOR_MODEL = Path(__file__).parent / "data" / "call_reason_vectors.npz"
_TOKEN_RE = TRANSCRIPT_TOKEN_RE


@dataclass(frozen=True)
class StaticVectors:
    """The installed package's vector table and where it came from."""

    vectors: Any  # spacy.vectors.Vectors (floret mode); a compiled module without type information
    package: str
    version: str
    sha256: str

    @property
    def width(self) -> int:
        return int(self.vectors.shape[1])

    def provenance(self) -> dict[str, str]:
        return {"package": self.package, "version": self.version, "vectors_sha256": self.sha256}

    def embed(self, text: str) -> np.ndarray:
        """Unit-length mean of the unit-length token vectors (zeros when the text has no word)."""
        words = [t for t in _TOKEN_RE.findall(text.lower()) if not t.startswith("[")]
        if not words:
            return np.zeros(self.width, dtype=np.float32)
        rows = np.asarray(self.vectors.get_batch(words), dtype=np.float32)
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)
        mean = rows.mean(axis=0)
        out: np.ndarray = mean / max(float(np.linalg.norm(mean)), 1e-6)
        return out

    def embed_all(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed(t) for t in texts]) if texts else np.zeros((0, self.width), np.float32)


@lru_cache(maxsize=2)
def load_static_vectors(package: str = VECTOR_PACKAGE) -> StaticVectors:
    """Read only the vector table of an installed spaCy model package (~0.2 s; ``OSError`` when missing)."""
    from spacy.util import get_package_path
    from spacy.vocab import Vocab

    try:
        pkg = get_package_path(package)
    except (ImportError, ModuleNotFoundError) as exc:
        raise OSError(f"spaCy package {package} is not installed") from exc
    meta = json.loads((pkg / "meta.json").read_text(encoding="utf-8"))
    vocab_dir = pkg / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "vocab"
    if not (vocab_dir / "vectors").is_file():
        raise OSError(f"spaCy package {package} has no vectors")
    vocab = Vocab().from_disk(vocab_dir, exclude=["strings", "lookups"])
    return StaticVectors(vectors=vocab.vectors, package=package, version=str(meta["version"]),
                         sha256=sha256_file(str(vocab_dir / "vectors")))


@dataclass
class VectorModel:
    """Softmax regression over ``StaticVectors.embed`` features."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (width, labels), over standardised features
    bias: np.ndarray  # (labels,)
    mean: np.ndarray  # (width,) feature mean and scale on the training rows
    scale: np.ndarray
    source: StaticVectors
    settings: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    def predict_batch(self, feats: np.ndarray) -> np.ndarray:
        return _softmax(((feats - self.mean) / self.scale) @ self.weights + self.bias)

    def predict(self, text: str) -> dict[str, float]:
        probs = self.predict_batch(self.source.embed(text)[None, :])[0]
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def save(self, path: Path) -> None:
        meta = {"labels": list(self.labels), "vectors": self.source.provenance(), "settings": self.settings}
        with path.open("wb") as f:
            np.savez(f, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32),
                     mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
                     meta=np.array(json.dumps(meta, sort_keys=True)))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def train_vector_model(feats: np.ndarray, gold: list[str], labels: tuple[str, ...], source: StaticVectors,
                       l2: float = 1e-3, steps: int = 300, learn_rate: float = 0.5) -> VectorModel:
    """Full-batch gradient descent on the mean cross-entropy + ``l2``·|W|² over z-scored features, from zeros
    (deterministic)."""
    index = {lb: i for i, lb in enumerate(labels)}
    y = np.zeros((len(gold), len(labels)), dtype=np.float64)
    y[np.arange(len(gold)), [index[g] for g in gold]] = 1.0
    mean = feats.mean(axis=0)
    scale = np.maximum(feats.std(axis=0), 1e-6)
    x = (feats - mean) / scale
    w = np.zeros((x.shape[1], len(labels)))
    b = np.zeros(len(labels))
    for _ in range(steps):
        grad = (_softmax(x @ w + b) - y) / len(gold)
        w -= learn_rate * (x.T @ grad + 2 * l2 * w)
        b -= learn_rate * grad.sum(axis=0)
    settings = {"l2": l2, "steps": steps, "learn_rate": learn_rate, "rows": len(gold)}
    return VectorModel(labels=labels, weights=w.astype(np.float32), bias=b.astype(np.float32),
                       mean=mean.astype(np.float32), scale=scale.astype(np.float32), source=source, settings=settings)


def load_vector_model(path: str | Path = DEFAULT_VECTOR_MODEL) -> VectorModel:
    """Load saved weights and the installed vectors they were trained on; ``OSError`` when either is missing
    or the installed vectors are not the ones recorded at training time."""
    root = Path(path)
    if not root.is_file():
        raise OSError(f"no vector model at {root}")
    with np.load(root, allow_pickle=False) as data:
        weights, bias, mean, scale = data["weights"], data["bias"], data["mean"], data["scale"]
        meta = json.loads(str(data["meta"]))
    source = load_static_vectors(meta["vectors"]["package"])
    if source.provenance() != meta["vectors"]:
        raise OSError(f"installed {source.package} {source.version} is not the vector table {root.name} "
                      "was trained on")
    return VectorModel(labels=tuple(meta["labels"]), weights=weights, bias=bias, mean=mean, scale=scale,
                       source=source,
                       settings=dict(meta["settings"]), sha256=sha256_file(str(root)))
