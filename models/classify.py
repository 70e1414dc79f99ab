"""Call-reason classification of redacted Finnish transcripts, and personal-data categories of found entities.

Why a weighted lemma lexicon and not a trained model: we have ~150 hand-written labelled calls, not
thousands of real ones, and the input is Whisper-base Finnish (lower case, misspelt, colloquial, inflected).
With so little data a statistical model learns the authors' phrasing; a lexicon of *lemmas* written by
someone who knows the domain generalises to unseen inflections for free once Voikko reduces
``laskustani``/``laskulla``/``laskuun`` to ``lasku``, is readable and editable by a contact-centre lead,
and every decision can be explained by the terms that fired (``explain``). Misspelt words Voikko does not
know get its first spelling suggestion, and finally a stem-prefix match against the lexicon.

The taxonomy (labels, Finnish display names, descriptions, weighted terms) is a YAML file passed by path, so a
deployment can change labels without code; its sha256 goes into ``model_info`` for provenance.

Beside the lexicon sits a learned model (``models/call_reason_textcat.py``): a spaCy bag-of-words textcat
trained on generated lines (``bench/reasongen``) over the same lemma features. The lexicon knows words it was
never shown in a sentence; the textcat knows phrasings no single term captures ("miten saan tilauksen
päättymään" has the ``tilaus`` lemma but is a cancellation). The decision is the label with the highest
``TEXTCAT_WEIGHT * learned + (1 - TEXTCAT_WEIGHT) * lexicon`` score; the weight was chosen by 4-fold
cross-validation grouped by template on the train split (``bench/call_reason_cv.py``; ``bench/classify_quality.py``
reports the dev split and the untuned test split). The learned probabilities are the textcat's mixed with
``VECTOR_MIX`` of a word-vector softmax (``models/call_reason_vectors.py``: the mean floret vector of the
installed ``spacy_fi_experimental_web_md``, so words no training line contained still count); the mix was chosen
by the same CV (0.916 → 0.943). Measured when set: dev 0.976 (lexicon 0.857, textcat 0.913, vectors 0.930),
test 0.947 (lexicon 0.647, textcat 0.908, vectors 0.903); before the vectors dev 0.941, test 0.903. The test
split says the lexicon generalises worse to new phrasings than the train-split CV suggests (the lexicon was
tuned on train lines), but the weights stay the CV's choice.
When that label is the lexicon's own first label the lexicon's scores are returned unchanged (method
``lexicon``); otherwise the mixed scores are (method ``textcat``). With no lexicon term at all the textcat
decides only when it is at least ``TEXTCAT_MIN_ALONE`` sure of a label other than the fallback.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from models.call_reason_textcat import DEFAULT_TEXTCAT, TextcatModel, load_textcat
from models.call_reason_vectors import DEFAULT_VECTOR_MODEL, VectorModel, load_vector_model
from models.nlp import TRANSCRIPT_TOKEN_RE, VoikkoHandle
from models.provenance import ModelInfo, sha256_file

__all__ = [
    "DEFAULT_PII_MAP",
    "DEFAULT_TAXONOMY",
    "DEFAULT_TEXTCAT",
    "DEFAULT_VECTOR_MODEL",
    "CallReasonClassifier",
    "InvalidTaxonomy",
    "Label",
    "LabelScore",
    "Taxonomy",
    "Term",
    "load_taxonomy",
]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_TAXONOMY = DATA_DIR / "taxonomy_fi.yaml"
DEFAULT_PII_MAP = DATA_DIR / "pii_categories_fi.yaml"
VERSION = "2.2.0"
# grouped CV on train (bench/call_reason_cv.py, 713 templates): lexicon 0.855, textcat 0.878; combined with
# weight 0.4 → 0.913, 0.5 → 0.914, 0.6 → 0.914, 0.7 → 0.906; at 0.6 min_alone 0.3 → 0.914, 0.4 → 0.916,
# 0.5 → 0.914, 0.6 → 0.911
TEXTCAT_WEIGHT = 0.6
TEXTCAT_MIN_ALONE = 0.4
# share of the word-vector softmax in the learned probabilities; same CV with --vectors (l2 0.001, 300 steps):
# learned alone mix 0 → 0.877, 0.2 → 0.906, 0.3 → 0.920, 0.4 → 0.921, 0.5 → 0.913, vectors alone 0.873;
# combined at weight 0.6: mix 0 → 0.916, 0.3 → 0.940, 0.4 → 0.943, 0.5 → 0.938 (0.4 at weight 0.7 → 0.943)
VECTOR_MIX = 0.4

# Placeholders left by redaction ("[HETU]", "[Y-TUNNUS]") stay one token so the lexicon can weigh them.
_TOKEN_RE = TRANSCRIPT_TOKEN_RE
_SUGGEST_MIN_LEN = 5  # shorter colloquial words ("mä", "mun", "hetu") get nonsense suggestions
_STEM_MIN_LEN = 4
_AGENT_SUFFIXES = frozenset({"+ja", "+jä"})
_WORDBASE_RE = re.compile(r"\+([^+(]*)(\([^)]*\))?")
_PHRASE_WINDOW = 2  # "uusi osoite" also matches "uuteen hienoon osoitteeseen"
_PREFIX_LEN = 4  # textcat prefix feature; grouped CV on train (641 templates): textcat 0.856 without, 0.877 with 4


class InvalidTaxonomy(ValueError):
    """The taxonomy or PII-category YAML is missing required parts or has bad weights."""


@dataclass(frozen=True)
class LabelScore:
    """One label with a score in [0, 1] and how it was obtained (``lexicon``, ``textcat``, ``fallback`` or
    ``rule``)."""

    label: str
    score: float
    method: str


@dataclass(frozen=True)
class Term:
    """A lexicon entry: one or more lemmas (``*`` suffix = prefix match) that together add ``weight``."""

    text: str
    weight: float
    parts: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, weight: float) -> Term:
        parts = tuple(text.lower().split())
        if not parts or not 0 < weight <= 10:
            raise InvalidTaxonomy(f"term {text!r}: needs text and a weight in (0, 10]")
        return cls(text=text, weight=float(weight), parts=parts)


@dataclass(frozen=True)
class Label:
    key: str
    display_name: str
    description: str
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Labels plus the few numbers that turn term weights into scores (see ``CallReasonClassifier``)."""

    name: str
    version: str
    labels: tuple[Label, ...]
    fallback_label: str
    fallback_score: float = 0.2
    smoothing: float = 1.0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(lb.key for lb in self.labels)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and check a taxonomy YAML (format: ``models/data/taxonomy_fi.yaml``)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("labels"), dict) or not raw["labels"]:
        raise InvalidTaxonomy(f"{path}: needs a non-empty 'labels' mapping")
    labels = tuple(
        Label(key=str(key), display_name=str(spec.get("display_name", key)),
              description=str(spec.get("description", "")),
              terms=tuple(Term.parse(str(t), w) for t, w in (spec.get("terms") or {}).items()))
        for key, spec in raw["labels"].items())
    fallback = str(raw.get("fallback_label", labels[-1].key))
    if fallback not in {lb.key for lb in labels}:
        raise InvalidTaxonomy(f"{path}: fallback_label {fallback!r} is not a label")
    return Taxonomy(name=str(raw.get("name", Path(path).stem)), version=str(raw.get("version", "0")),
                    labels=labels, fallback_label=fallback,
                    fallback_score=float(raw.get("fallback_score", 0.2)),
                    smoothing=float(raw.get("smoothing", 1.0)))


def _load_pii_map(path: str | Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("entity_types"), dict):
        raise InvalidTaxonomy(f"{path}: needs an 'entity_types' mapping")
    mapping = {str(k).upper(): tuple(v if isinstance(v, list) else [v])
               for k, v in raw["entity_types"].items()}
    unknown = raw.get("unknown", [])
    return mapping, tuple(unknown if isinstance(unknown, list) else [unknown])


class _Lemmatiser:
    """Token → set of lemma features via Voikko: base forms, compound parts, a suggestion for unknown words.

    One Voikko handle is not thread-safe, hence the lock; results are cached because transcripts repeat words.
    """

    def __init__(self, cache_size: int = 65536) -> None:
        self._lock = threading.Lock()
        self._voikko: VoikkoHandle | None
        try:
            import libvoikko

            self._voikko = libvoikko.Voikko("fi")
        except (ImportError, OSError) as exc:  # no libvoikko or no Finnish dictionary: surface forms only
            log.warning("Voikko unavailable (%s); call-reason classifier falls back to surface forms",
                        type(exc).__name__)
            self._voikko = None
        self.features = lru_cache(maxsize=cache_size)(self._features)

    @property
    def available(self) -> bool:
        return self._voikko is not None

    def _analyse(self, voikko: VoikkoHandle, word: str) -> set[str]:
        out: set[str] = set()
        with self._lock:
            analyses = voikko.analyze(word)
        for a in analyses:
            if base := a.get("BASEFORM"):
                out.add(base.lower())
            out.update(_compound_parts(a.get("WORDBASES", "")))
        return out

    def _features(self, token: str) -> tuple[frozenset[str], bool]:
        """Return (features, known); ``known`` is False when neither Voikko nor its suggestion knew it."""
        feats = {token}
        voikko = self._voikko
        if token.startswith("[") or voikko is None:
            return frozenset(feats), token.startswith("[")
        pieces = [token, *token.split("-")] if "-" in token else [token]
        known = False
        for piece in pieces:
            lemmas = self._analyse(voikko, piece)
            if not lemmas and len(piece) >= _SUGGEST_MIN_LEN:
                with self._lock:
                    suggestions = voikko.suggest(piece)
                if suggestions:
                    lemmas = self._analyse(voikko, suggestions[0].lower())
            known = known or bool(lemmas)
            feats.add(piece)
            feats.update(lemmas)
        return frozenset(feats), known


def _compound_parts(wordbases: str) -> set[str]:
    """``+netti(netti)+liittymä(liittymä)`` → {netti, liittymä}; skips derivational bits such as ``+m``.

    Derivation roots are kept (``korvaushakemus`` → korvata) except under an agent-noun suffix: an
    ``asentaja`` (installer) is a person in a complaint, not a request to ``asentaa`` (install) something.
    """
    segs = [(form, base[1:-1] if base else form) for form, base in _WORDBASE_RE.findall(wordbases)]
    roots = [i for i, (_, base) in enumerate(segs) if len(base) >= 3 and not base.startswith("+")]
    if roots and segs and segs[-1][1] in _AGENT_SUFFIXES:
        roots = roots[:-1]
    return {segs[i][1].replace("=", "").lower() for i in roots}


def _stem_matches(part: str, token: str) -> bool:
    """Last resort for words nobody knew: ``irtisanoo`` still matches ``irtisanoa`` by a shared stem."""
    stem = part.rstrip("*")
    if len(stem) < _STEM_MIN_LEN + 1 or part.startswith("["):
        return False
    return token.startswith(stem[: max(_STEM_MIN_LEN, len(stem) - 2)])


class _Doc:
    """One transcript as an inverted index lemma feature → token positions, so matching ~250 terms stays
    linear in the transcript's length (a 10-minute call is ~1,500 tokens)."""

    def __init__(self, tokens: list[tuple[str, frozenset[str], bool]]) -> None:
        self.index: dict[str, list[int]] = {}
        for i, (_, feats, _known) in enumerate(tokens):
            for f in feats:
                self.index.setdefault(f, []).append(i)
        self.unknown = [(i, surface) for i, (surface, _, known) in enumerate(tokens) if not known]
        self._cache: dict[str, frozenset[int]] = {}

    def positions(self, part: str) -> frozenset[int]:
        if part not in self._cache:
            if part.endswith("*"):
                stem = part[:-1]
                found = {i for f, pos in self.index.items() if f.startswith(stem) for i in pos}
            else:
                found = set(self.index.get(part, ()))
            found.update(i for i, surface in self.unknown if _stem_matches(part, surface))
            self._cache[part] = frozenset(found)
        return self._cache[part]

    def has(self, term: Term) -> bool:
        """A term's parts must appear in order, each within ``_PHRASE_WINDOW`` tokens of the previous one."""
        chains = self.positions(term.parts[0])
        for part in term.parts[1:]:
            if not chains:
                return False
            nxt = self.positions(part)
            chains = frozenset(j for i in chains for j in range(i + 1, i + 1 + _PHRASE_WINDOW) if j in nxt)
        return bool(chains)


class CallReasonClassifier:
    """Scores every taxonomy label for a (redacted, ASR-style) Finnish transcript.

    Evidence for a label is the sum of the weights of its distinct terms found in the text (each term counts
    once, so an agent repeating "lasku" does not outvote the customer's one "irtisanoa"). Scores are
    ``evidence / (total evidence + smoothing)``: thin evidence gives modest confidence. With no evidence at
    all the fallback label gets ``fallback_score`` and method ``fallback``.
    """

    def __init__(self, taxonomy_path: str | Path = DEFAULT_TAXONOMY,
                 pii_map_path: str | Path = DEFAULT_PII_MAP,
                 textcat_path: str | Path | None = DEFAULT_TEXTCAT,
                 vectors_path: str | Path | None = DEFAULT_VECTOR_MODEL) -> None:
        """``textcat_path=None`` gives the lexicon alone; a textcat whose labels are not the taxonomy's is
        not used (a swapped taxonomy keeps working), and ``model_info`` says so. The word-vector softmax
        (``vectors_path``) is mixed into the textcat's probabilities, so it is used only with a textcat and
        the same labels; ``vectors_path=None`` gives lexicon + textcat as before it existed."""
        self.taxonomy_path = Path(taxonomy_path)
        self.pii_map_path = Path(pii_map_path)
        self.taxonomy = load_taxonomy(self.taxonomy_path)
        self._pii_map, self._pii_unknown = _load_pii_map(self.pii_map_path)
        self._lemmatiser = _Lemmatiser()
        self.textcat: TextcatModel | None = None
        self._textcat_skipped = "not configured"
        if textcat_path is not None:
            model = load_textcat(textcat_path)
            if set(model.labels) == set(self.taxonomy.keys):
                self.textcat, self._textcat_skipped = model, ""
            else:
                self._textcat_skipped = "its labels differ from the taxonomy's"
                log.warning("call-reason textcat not used: %s", self._textcat_skipped)
        self.vectors: VectorModel | None = None
        self._vectors_skipped = "not configured"
        if vectors_path is not None and self.textcat is None:
            self._vectors_skipped = "no textcat in use"
        elif vectors_path is not None:
            vec = load_vector_model(vectors_path)
            if set(vec.labels) != set(self.taxonomy.keys):
                self._vectors_skipped = "its labels differ from the taxonomy's"
                log.warning("call-reason vector model not used: %s", self._vectors_skipped)
            else:
                self.vectors, self._vectors_skipped = vec, ""
        self.model_info = self._make_model_info()

    def _make_model_info(self) -> ModelInfo:
        files = {"taxonomy": sha256_file(str(self.taxonomy_path)),
                 "pii_map": sha256_file(str(self.pii_map_path))}
        tc = self.textcat
        if tc is not None:
            files["textcat"] = tc.sha256
        vec = self.vectors
        if vec is not None:
            files["vectors"] = vec.sha256
        manifest = "".join(f"{k}:{v}\n" for k, v in sorted(files.items()))
        combined = hashlib.sha256(manifest.encode()).hexdigest()
        t = self.taxonomy
        textcat: dict[str, Any] | None = None if tc is None else {
            "name": str(tc.nlp.meta.get("name", "")), "version": str(tc.nlp.meta.get("version", "")),
            "files_sha256": dict(tc.files_sha256), "weight": TEXTCAT_WEIGHT, "min_alone": TEXTCAT_MIN_ALONE}
        vectors: dict[str, Any] | None = None if vec is None else {
            "weights_sha256": vec.sha256, "mix": VECTOR_MIX, "training": dict(vec.settings),
            **vec.source.provenance()}
        return ModelInfo(
            name="puheturva.call_reason.lexicon" + ("+textcat" if tc is not None else "")
            + ("+vectors" if vec is not None else ""), version=VERSION,
            sha256=combined, kind="model",
            settings={"taxonomy": t.name, "taxonomy_version": t.version, "labels": list(t.keys),
                      "files_sha256": files, "fallback_label": t.fallback_label,
                      "fallback_score": t.fallback_score, "smoothing": t.smoothing,
                      "lemmatiser": "voikko" if self._lemmatiser.available else "none",
                      "textcat": textcat, "textcat_skipped": self._textcat_skipped or None,
                      "vectors": vectors, "vectors_skipped": self._vectors_skipped or None})

    @property
    def labels(self) -> tuple[str, ...]:
        return self.taxonomy.keys

    def feature_text(self, text: str) -> str:
        """The transcript as the textcat reads it: each token followed by its lemma features (sorted) and, for
        a word longer than ``_PREFIX_LEN`` letters, its first letters as ``p_xxxx`` (a crude stem that still
        ties together misspellings and inflections Voikko did not know)."""
        out: list[str] = []
        for tok in _TOKEN_RE.findall(text.lower()):
            feats, _known = self._lemmatiser.features(tok)
            out.append(tok)
            out.extend(sorted(feats - {tok}))
            if len(tok) > _PREFIX_LEN and not tok.startswith("["):
                out.append("p_" + tok[:_PREFIX_LEN])
        return " ".join(out)

    def _doc(self, text: str) -> _Doc:
        return _Doc([(tok, *self._lemmatiser.features(tok)) for tok in _TOKEN_RE.findall(text.lower())])

    def explain(self, text: str) -> dict[str, list[str]]:
        """The lexicon terms that fired per label (lexicon vocabulary only, so safe to log)."""
        doc = self._doc(text)
        return {lb.key: [t.text for t in lb.terms if doc.has(t)] for lb in self.taxonomy.labels}

    def classify(self, text: str) -> list[LabelScore]:
        """All labels, best first (ties in taxonomy order), scores in [0, 1]: lexicon and textcat combined."""
        lexicon = self.classify_lexicon(text)
        if self.textcat is None or not _TOKEN_RE.search(text.lower()):
            return lexicon
        return self.combine(lexicon, self.learned(text))

    def learned(self, text: str) -> dict[str, float]:
        """The learned probabilities: the textcat's, mixed ``VECTOR_MIX`` with the word-vector softmax's when
        that is in use. Requires a textcat."""
        assert self.textcat is not None
        probs = self.textcat.predict(self.feature_text(text))
        if self.vectors is None:
            return probs
        vec = self.vectors.predict(text)
        return {k: (1 - VECTOR_MIX) * p + VECTOR_MIX * vec[k] for k, p in probs.items()}

    def classify_vectors(self, text: str) -> list[LabelScore]:
        """The word-vector softmax alone, best first; empty when it is not in use."""
        if self.vectors is None:
            return []
        probs = self.vectors.predict(text)
        return self._sorted([LabelScore(k, probs[k], "vectors") for k in self.taxonomy.keys])

    def classify_textcat(self, text: str) -> list[LabelScore]:
        """The textcat alone (probabilities), best first; empty when no textcat is in use."""
        if self.textcat is None:
            return []
        probs = self.textcat.predict(self.feature_text(text))
        return self._sorted([LabelScore(k, probs[k], "textcat") for k in self.taxonomy.keys])

    def combine(self, lexicon: list[LabelScore], probs: Mapping[str, float], weight: float = TEXTCAT_WEIGHT,
                min_alone: float = TEXTCAT_MIN_ALONE) -> list[LabelScore]:
        """Mix ``classify_lexicon`` output with textcat probabilities (``weight`` on the textcat); the
        cross-validation in ``bench/call_reason_cv.py`` calls it with other settings."""
        tax = self.taxonomy
        if lexicon[0].method == "fallback":  # no lexicon term: the textcat alone, when sure enough
            best = max(tax.keys, key=lambda k: probs[k])
            if best == tax.fallback_label or probs[best] < min_alone:
                return lexicon
        lex = {s.label: s.score if s.method == "lexicon" else 0.0 for s in lexicon}
        mixed = [LabelScore(k, weight * probs[k] + (1 - weight) * lex[k], "textcat")
                 for k in tax.keys]
        mixed = self._sorted(mixed)
        if mixed[0].label == lexicon[0].label:
            return lexicon  # the lexicon's decision stands; its scores and explanation stay as they were
        return mixed

    def _sorted(self, scores: list[LabelScore]) -> list[LabelScore]:
        order = {k: i for i, k in enumerate(self.taxonomy.keys)}
        return sorted(scores, key=lambda s: (-s.score, order[s.label]))

    def classify_lexicon(self, text: str) -> list[LabelScore]:
        """The lexicon alone: all labels, best first (ties in taxonomy order), scores in [0, 1]."""
        doc = self._doc(text)
        evidence = {lb.key: sum(t.weight for t in lb.terms if doc.has(t))
                    for lb in self.taxonomy.labels}
        total = sum(evidence.values())
        tax = self.taxonomy
        if total <= 0:
            scores = [LabelScore(k, tax.fallback_score if k == tax.fallback_label else 0.0,
                                 "fallback" if k == tax.fallback_label else "lexicon") for k in tax.keys]
        else:
            scores = [LabelScore(k, evidence[k] / (total + tax.smoothing), "lexicon") for k in tax.keys]
        return self._sorted(scores)

    def pii_categories(self, entity_types: Iterable[str]) -> list[LabelScore]:
        """Personal-data categories present, from the entity types redaction found (rule-based, score 1)."""
        found: set[str] = set()
        for etype in entity_types:
            found.update(self._pii_map.get(etype.upper(), self._pii_unknown))
        return [LabelScore(label, 1.0, "rule") for label in sorted(found)]

    @property
    def pii_map(self) -> Mapping[str, tuple[str, ...]]:
        return dict(self._pii_map)
