"""Finnish NLP models for redaction: spaCy NER and the Voikko name lexicon, loaded once per process.

``redaction`` never loads a model; it accepts anything shaped like ``NerTagger`` / ``NameLexicon``. This
module provides the real ones and ``default_analyzer()`` that wires them in.

* spaCy ``spacy_fi_experimental_web_md`` with only its ``ner`` component: the NER has its own tok2vec, and
  the lemmatizer would need Voikko inside spaCy (FINDINGS.md), so everything else is excluded (faster, fewer
  deps).
* libvoikko's morphological analysis gives word classes (etunimi, sukunimi, paikannimi, nimisana, …),
  which find names in lower-case ASR text where NER finds none. Without the Debian ``libvoikko1`` and
  ``voikko-fi`` packages the lexicon is unavailable and the analyzer runs without it (one warning, no text
  in it).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Protocol

from models.first_names import load_first_names, stems
from models.provenance import ModelInfo

# A transcript's words as the call-reason classifier, its word-vector model and the rights detector read them:
# lower-case Finnish words (hyphenated compounds whole) and redaction placeholders ("[HETU]") as one token.
TRANSCRIPT_TOKEN_RE = re.compile(r"\[[^\]\s]{1,40}\]|[0-9a-zåäöšž]+(?:-[0-9a-zåäöšž]+)*")

if TYPE_CHECKING:
    from spacy.language import Language

    from redaction.analyzer import Analyzer

log = logging.getLogger(__name__)

VoikkoAnalysis = dict[str, str]  # one reading: {"CLASS": "sukunimi", "SIJAMUOTO": "nimento", "BASEFORM": …}


class VoikkoHandle(Protocol):
    """The two calls ``VoikkoLexicon`` makes on a ``libvoikko.Voikko`` (which ships no type hints)."""

    def analyze(self, word: str) -> list[VoikkoAnalysis]: ...

    def suggest(self, word: str) -> list[str]: ...

SPACY_MODEL = "spacy_fi_experimental_web_md"
SPACY_KEEP = ("ner",)
PROPER_CLASSES = frozenset({"etunimi", "sukunimi", "paikannimi", "nimi"})


@lru_cache(maxsize=1)
def load_spacy() -> Language:
    """The NER-only Finnish pipeline (loaded once; ~2 s)."""
    import spacy
    from spacy.cli.info import info as spacy_info  # what ``spacy.info`` is; imported by ``spacy`` already

    info = spacy_info(SPACY_MODEL)
    assert isinstance(info, dict)  # a str only with markdown=True
    exclude = [name for name in info["pipeline"] if name not in SPACY_KEEP]
    return spacy.load(SPACY_MODEL, exclude=exclude)


class SpacyNer:
    """``NerTagger`` over spaCy; ``model_info`` records model, version and the pipeline actually run."""

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp if nlp is not None else load_spacy()
        self.model_info = ModelInfo(
            name=f"spacy/{SPACY_MODEL}",
            version=str(self.nlp.meta.get("version", "unknown")),
            settings={"components": list(self.nlp.pipe_names), "spacy": _version("spacy")},
            kind="model",
        )

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        doc = self.nlp(text)
        return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


class VoikkoLexicon:
    """``NameLexicon`` over libvoikko. Voikko handles are not thread-safe, hence the lock; results are
    cached."""

    def __init__(self, voikko: VoikkoHandle, first_names: frozenset[str] = frozenset()) -> None:
        self._voikko = voikko
        self._first_names = first_names
        self._lock = threading.Lock()
        self._cache: dict[str, frozenset[tuple[str, str | None]]] = {}
        self._suggestions: dict[str, tuple[str, ...]] = {}
        self.model_info = ModelInfo(
            name="libvoikko/voikko-fi",
            version=_voikko_version(voikko),
            settings={"language": "fi", "libvoikko": _version("libvoikko"),
                      "first_names": f"gender-guesser {_version('gender-guesser')} nam_dict.txt (Finland), "
                                     f"{len(first_names)} names"},
            kind="model",
        )

    @classmethod
    def load(cls) -> VoikkoLexicon | None:
        """The lexicon, or None (with one warning) when libvoikko or its Finnish dictionary is missing."""
        return _load_voikko()

    def readings(self, word: str) -> frozenset[tuple[str, str | None]]:
        """``(word class, case)`` of every analysis of ``word`` ("salomaa" -> {("nimisana", "nimento")})."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        with self._lock:
            analyses = self._voikko.analyze(word)
        result = frozenset((a["CLASS"], a.get("SIJAMUOTO")) for a in analyses if "CLASS" in a)
        result |= self._first_name_readings(word, analyses)
        if len(self._cache) < 200_000:
            self._cache[word] = result
        return result

    def _first_name_readings(self, word: str, analyses: list[VoikkoAnalysis]) -> frozenset[tuple[str, str | None]]:
        """A first-name reading from the name dictionary: for a form whose Voikko base form is listed
        ("Inkerille" -> Inkeri, a place to Voikko), or for a word Voikko does not know at all whose form
        without a case ending is listed ("Jesselle")."""
        if not self._first_names or not word.isalpha():
            return frozenset()
        found = {("etunimi", a.get("SIJAMUOTO")) for a in analyses
                 if str(a.get("BASEFORM", "")).lower() in self._first_names}
        if not analyses:
            found |= {("etunimi", "nimento" if stem == word.lower() else None)
                      for stem in stems(word) if stem in self._first_names}
        return frozenset(found)

    def classes(self, word: str) -> frozenset[str]:
        return frozenset(cls for cls, _case in self.readings(word))

    def cases(self, word: str) -> frozenset[str]:
        return frozenset(case for _cls, case in self.readings(word) if case)

    def suggest(self, word: str) -> tuple[str, ...]:
        cached = self._suggestions.get(word)
        if cached is not None:
            return cached
        with self._lock:
            result = tuple(self._voikko.suggest(word))
        if len(self._suggestions) < 20_000:
            self._suggestions[word] = result
        return result

    def name_class(self, word: str) -> str | None:
        classes = self.classes(word)
        if classes and classes <= PROPER_CLASSES:
            return sorted(classes)[0] if len(classes) > 1 else next(iter(classes))
        return None


@lru_cache(maxsize=1)
def _load_voikko() -> VoikkoLexicon | None:
    try:
        import libvoikko

        return VoikkoLexicon(libvoikko.Voikko("fi"), load_first_names())
    # ImportError, OSError, or the plain Exception libvoikko raises when the dictionary is missing.
    except Exception as exc:
        log.warning("Voikko name lexicon unavailable (%s); names in lower-case text will be missed",
                    type(exc).__name__)
        return None


@lru_cache(maxsize=1)
def load_ner() -> SpacyNer:
    return SpacyNer()


def default_analyzer(score_threshold: float = 0.5, low_confidence_threshold: float | None = None
                     ) -> tuple[Analyzer, ModelInfo]:
    """An ``Analyzer`` with spaCy NER and the Voikko lexicon (when installed) wired in, and its provenance.

    The ``ModelInfo`` names the rule set (this package's version), the threshold, every recognizer and the
    models injected, so a redaction can be traced to exactly what produced it. ``low_confidence_threshold``:
    the low-confidence policy's word probability (None: the analyzer's default; the policy only reads word
    confidences a caller passes, so a caller turns it off by passing none).
    """
    from redaction.analyzer import Analyzer

    ner = load_ner()
    lexicon = VoikkoLexicon.load()
    analyzer = Analyzer(ner=ner, lexicon=lexicon, score_threshold=score_threshold)
    if low_confidence_threshold is not None:
        analyzer.low_confidence_threshold = low_confidence_threshold
    info = ModelInfo(
        name="puheturva.redaction.analyzer",
        version=_version("puheturva"),
        settings={
            "score_threshold": score_threshold,
            "low_confidence_threshold": analyzer.low_confidence_threshold,
            "recognizers": [r.name for r in analyzer.recognizers],
            "ner": asdict(ner.model_info),
            "lexicon": asdict(lexicon.model_info) if lexicon is not None else None,
        },
    )
    return analyzer, info


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _voikko_version(voikko: object) -> str:
    try:
        import libvoikko

        dicts = libvoikko.Voikko.listDicts()
        dictionary = dicts[0].description if dicts else "unknown dictionary"
        return f"{libvoikko.Voikko.getVersion()} ({dictionary})"
    except Exception:  # version lookup is informative only
        return "unknown"
