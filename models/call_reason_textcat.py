"""The learned half of the call-reason classifier: a spaCy ``textcat`` (exclusive classes, bag of words).

Why a bag of *lemma features* and not raw words: the training lines are generated from a few hundred
templates, and the model is meant to generalise to inflections and misspellings it never saw. Its input is
the transcript rewritten by ``CallReasonClassifier.feature_text`` (every token followed by its Voikko base
forms and compound parts, and a four-letter prefix of a longer word), so ``liittymääni``, ``liitymän`` and
``kuituliittymä`` all carry ``liittymä``. A bag-of-words model is small (about 1.3 MB), needs no vectors, trains
in under a minute and is deterministic. Settings (unigrams, 6 epochs, no augmentation) were chosen by
``bench/call_reason_cv.py``: bigrams, more epochs, dropout and word-dropout copies did not help there.

Word vectors are not part of this model: ``models/call_reason_vectors.py`` adds them as a separate softmax whose
probabilities ``models/classify.py`` mixes into this one's.

The model ships as a spaCy directory under ``models/data/call_reason_textcat``; loading reads only that
directory (``spacy.load`` of a path never downloads). Its files' sha256 go into the classifier's provenance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from models.provenance import sha256_file

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["DEFAULT_TEXTCAT", "TextcatModel", "load_textcat", "textcat_config"]

DEFAULT_TEXTCAT = Path(__file__).parent / "data" / "call_reason_textcat"


def textcat_config(ngram_size: int = 1, length: int = 1 << 15) -> dict[str, object]:
    """The component config: exclusive labels, a bag of (lemma-feature) n-grams hashed into ``length`` rows."""
    return {"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
                      "ngram_size": ngram_size, "no_output_layer": False, "length": length}}


@dataclass(frozen=True)
class TextcatModel:
    """A loaded textcat pipeline, its labels and the sha256 of every file it was loaded from."""

    nlp: Language
    path: Path
    labels: tuple[str, ...]
    files_sha256: dict[str, str]

    @property
    def sha256(self) -> str:
        """One digest over the sorted ``relative path:sha256`` manifest of the model directory."""
        manifest = "".join(f"{k}:{v}\n" for k, v in sorted(self.files_sha256.items()))
        return hashlib.sha256(manifest.encode()).hexdigest()

    def predict(self, feature_text: str) -> dict[str, float]:
        """Probabilities per label (they sum to 1: the classes are exclusive)."""
        cats = self.nlp(feature_text).cats
        return {label: float(cats.get(label, 0.0)) for label in self.labels}


def load_textcat(path: str | Path = DEFAULT_TEXTCAT) -> TextcatModel:
    """Load the shipped (or a given) textcat directory; raises ``OSError`` when it is missing."""
    import spacy
    from spacy.pipeline import TextCategorizer

    root = Path(path)
    if not (root / "meta.json").is_file():
        raise OSError(f"no spaCy model at {root}")
    nlp = spacy.load(root)
    files = {str(p.relative_to(root)): sha256_file(str(p)) for p in sorted(root.rglob("*")) if p.is_file()}
    textcat: TextCategorizer = nlp.get_pipe("textcat")  # type: ignore[assignment]  # typed as a callable
    labels = tuple(str(lb) for lb in textcat.labels)
    return TextcatModel(nlp=nlp, path=root, labels=labels, files_sha256=files)
