"""Data-subject rights requests and marketing choices said by the customer in a call.

Why a lemma lexicon with negation and hedge scope, not a trained classifier: the requests are few, formulaic
and legally meaningful (access, erasure, rectification, restriction, portability, objection, a marketing
prohibition or consent per channel), every hit must carry evidence a privacy officer can check, and the
decisive words are small function words ("en", "älkää", "jos", "periaatteessa") that a bag-of-words model
trained on a few hundred generated lines weighs badly. Voikko reduces inflections (``tietojani``,
``poistakaa``, ``sähköpostiin``) to lemmas with ``models.classify``'s lemmatiser, so one cue covers every
form. Each cue is a set of *slots* (alternative lemmas) that must all occur in one clause within
``window`` tokens; the clause's negation and hedges decide whether it counts.

The lexicon is ``models/data/rights_requests_fi.yaml``; its sha256 is in ``model_info``.
Only customer turns are read: an agent saying "voin poistaa tiedot" is not a request.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from models.classify import _SUGGEST_MIN_LEN, _Lemmatiser
from models.nlp import TRANSCRIPT_TOKEN_RE, VoikkoHandle
from models.provenance import ModelInfo, sha256_file

__all__ = [
    "CHANNELS",
    "DEFAULT_LEXICON",
    "KINDS",
    "InvalidRightsLexicon",
    "RightsDetector",
    "RightsHit",
    "Turn",
]

DEFAULT_LEXICON = Path(__file__).parent / "data" / "rights_requests_fi.yaml"
VERSION = "1.1.0"

KINDS: tuple[str, ...] = ("access", "erasure", "rectification", "restriction", "portability", "objection",
                          "marketing_prohibition", "marketing_consent")
CHANNELS: tuple[str, ...] = ("phone", "sms", "email", "post", "all")
_MARKETING = frozenset({"marketing_prohibition", "marketing_consent"})
CUSTOMER = "customer"

# Placeholders ("[HENKILÖ]") stay one token; words may carry hyphens ("e-mail").
_TOKEN_RE = TRANSCRIPT_TOKEN_RE
_CLAUSE_BREAK_RE = re.compile(r"[.!?;]+")
_SUGGESTIONS_TRIED = 4  # Voikko's spelling suggestions read for an unknown word (its first is always read)


class InvalidRightsLexicon(ValueError):
    """The rights lexicon YAML is missing required parts."""


@dataclass(frozen=True)
class Turn:
    """One (redacted) turn of a call: who spoke, what, and when (seconds on the call's timeline)."""

    speaker: str
    text: str
    start: float
    end: float


class SpokenTurn(Protocol):
    """Any turn with these fields will do (``Turn``, or the pipeline's redacted turns)."""

    @property
    def speaker(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


@dataclass(frozen=True)
class RightsHit:
    """One request found in one customer turn, with the evidence a privacy officer checks it against.

    ``char_start``/``char_end`` delimit the matched words in the turn's (redacted) text; ``start``/``end`` are
    the turn's times (turns carry no word times here). ``cues`` are lexicon lemmas, never the customer's
    words, so a hit is safe to log.
    """

    kind: str
    channel: str | None
    turn_index: int
    start: float
    end: float
    char_start: int
    char_end: int
    cues: tuple[str, ...]
    score: float
    cue_id: str


@dataclass(frozen=True)
class _Cue:
    """Slots of alternatives; an alternative is one or more features that must all be on one token."""

    id: str
    kind: str
    slots: tuple[tuple[tuple[str, ...], ...], ...]
    negated: bool  # True: the clause must be negated ("en halua mainoksia"); False: negation cancels it
    unless: frozenset[str]
    score: float
    # Features one of which must be said earlier in the same turn: "…tietoja minusta poistakaa ne" (anaphora)
    context: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Lexicon:
    name: str
    version: str
    window: int
    negation: frozenset[str]
    negation_reach: int
    clause_breaks: frozenset[str]
    not_negation: frozenset[str]
    possessors: frozenset[str]
    possessor_phrases: tuple[tuple[str, str], ...]
    fillers: frozenset[str]
    colloquial: tuple[tuple[str, str], ...]
    not_self: tuple[tuple[str, ...], ...]
    hedges: frozenset[str]
    hedges_before: frozenset[str]
    channels: tuple[tuple[str, frozenset[str]], ...]
    channel_ignore: frozenset[str]
    channel_weak: frozenset[str]
    overrides: tuple[tuple[str, frozenset[str]], ...]
    cues: tuple[_Cue, ...]


def _alternatives(spec: Any) -> tuple[tuple[str, ...], ...]:
    items = spec if isinstance(spec, list) else str(spec).split("|")
    # YAML folds a long slot over lines with a space: strip every part.
    return tuple(tuple(p.strip() for p in str(item).lower().split("+")) for item in items if str(item).strip())


def _load_lexicon(path: Path) -> _Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("kinds"), dict):
        raise InvalidRightsLexicon(f"{path}: needs a 'kinds' mapping")
    cues: list[_Cue] = []
    for kind, specs in raw["kinds"].items():
        if kind not in KINDS:
            raise InvalidRightsLexicon(f"{path}: unknown kind {kind!r}")
        for n, spec in enumerate(specs or []):
            slots = tuple(_alternatives(s) for s in spec["all"])
            if not slots:
                raise InvalidRightsLexicon(f"{path}: {kind} cue {n} has no slots")
            cues.append(_Cue(id=f"{kind}.{spec.get('id', n)}", kind=kind, slots=slots,
                             negated=bool(spec.get("negated", False)),
                             unless=frozenset(str(u).lower() for u in spec.get("unless", [])),
                             score=float(spec.get("score", 0.9)),
                             context=frozenset(str(c).lower() for c in spec.get("context", []))))
    channels = raw.get("channels", {})
    if not isinstance(channels, dict) or not set(channels) <= set(CHANNELS) - {"all"}:
        raise InvalidRightsLexicon(f"{path}: channels must be among {CHANNELS[:-1]}")
    return _Lexicon(
        name=str(raw.get("name", path.stem)), version=str(raw.get("version", "0")),
        window=int(raw.get("window", 8)), negation=frozenset(raw.get("negation", ["ei"])),
        negation_reach=int(raw.get("negation_reach", 4)),
        clause_breaks=frozenset(raw.get("clause_breaks", [])),
        not_negation=frozenset(raw.get("not_negation", [])),
        possessors=frozenset(raw.get("possessors", [])),
        possessor_phrases=tuple((str(a), str(b)) for a, b in
                                (str(p).split() for p in raw.get("possessor_phrases", []))),
        fillers=frozenset(raw.get("fillers", [])),
        colloquial=tuple((str(k), str(v)) for k, v in (raw.get("colloquial") or {}).items()),
        not_self=_alternatives(raw.get("not_self", [])),
        hedges=frozenset(raw.get("hedges", [])), hedges_before=frozenset(raw.get("hedges_before", [])),
        channels=tuple((ch, frozenset(words)) for ch, words in channels.items()),
        channel_ignore=frozenset(raw.get("channel_ignore", [])),
        channel_weak=frozenset(raw.get("channel_weak", [])),
        overrides=tuple((k, frozenset(v)) for k, v in (raw.get("overrides") or {}).items()),
        cues=tuple(cues))


class _MorphLemmatiser(_Lemmatiser):
    """``classify``'s lemmatiser plus tags the cues need: ``#pl`` (plural noun: "tarjouksia" are marketing,
    "tarjouksen" is one quote), ``#poss1`` (first-person possessive: "tietoni" are about the speaker),
    ``#poss3`` (third-person possessive on a noun: "tietojensa" are someone else's), ``#imp`` (affirmative
    imperative: "poistakaa" starts a new clause in unpunctuated speech) and ``#past`` ("tilasin uutiskirjeen"
    reports, it does not ask).

    A word Voikko does not know is read as its first spelling suggestion (``classify``'s rule); when that
    suggestion means nothing to the lexicon, the next few suggestions one edit away (a letter dropped, added,
    changed or two swapped) are tried for one that does, so an ASR slip ("poistaka", "tieot") is read as the
    lexicon word it is one letter away from rather than as "poistaja" or "teot". Only words Voikko does not
    know at all are reread, so a real word stays itself."""

    def __init__(self, vocabulary: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self._vocabulary = vocabulary

    def _features(self, token: str) -> tuple[frozenset[str], bool]:
        feats, known = super()._features(token)
        voikko = self._voikko
        if (voikko is None or not self._vocabulary or feats & self._vocabulary or token.startswith("[")
                or "-" in token or len(token) < _SUGGEST_MIN_LEN):
            return feats, known
        with self._lock:
            if voikko.analyze(token):
                return feats, known
            suggestions = voikko.suggest(token)[1:_SUGGESTIONS_TRIED]
        for suggestion in suggestions:
            if " " in suggestion or not _one_edit_apart(token, suggestion.lower()):
                continue
            lemmas = self._analyse(voikko, suggestion.lower())
            if lemmas & self._vocabulary:
                return feats | lemmas, True
        return feats, known

    def known_features(self, word: str) -> frozenset[str]:
        """Features of a word Voikko knows as written (no spelling suggestion); empty when it does not."""
        voikko = self._voikko
        if voikko is None:
            return frozenset()
        with self._lock:
            known = bool(voikko.analyze(word))
        return self.features(word)[0] if known else frozenset()

    def _analyse(self, voikko: VoikkoHandle, word: str) -> set[str]:
        out = super()._analyse(voikko, word)
        with self._lock:
            analyses = voikko.analyze(word)
        # Past only when every reading is past: "voitte" is "you can" as well as "you won".
        if analyses and all(a.get("TENSE") == "past_imperfective" and a.get("MOOD") == "indicative"
                            for a in analyses):
            out.add("#past")
        for a in analyses:
            if a.get("NUMBER") == "plural" and a.get("CLASS") == "nimisana":
                out.add("#pl")
            if a.get("POSSESSIVE") == "1s":
                out.add("#poss1")
            if a.get("POSSESSIVE") == "3" and a.get("CLASS") == "nimisana":
                out.add("#poss3")
            if a.get("MOOD") == "imperative" and a.get("NEGATIVE") == "false":
                out.add("#imp")
        return out


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    feats: frozenset[str]


class RightsDetector:
    """Finds rights requests and marketing choices in the customer's turns of one call."""

    def __init__(self, lexicon_path: str | Path = DEFAULT_LEXICON) -> None:
        self.lexicon_path = Path(lexicon_path)
        self.lexicon = _load_lexicon(self.lexicon_path)
        self._vocabulary = _vocabulary(self.lexicon)
        self._channel_prefixes = tuple(w[:-1] for _, ws in self.lexicon.channels for w in ws if w.endswith("*"))
        self._lemmatiser = _MorphLemmatiser(self._vocabulary)
        self._joins: dict[tuple[str, str], frozenset[str] | None] = {}
        self._colloquial = dict(self.lexicon.colloquial)
        digest = sha256_file(str(self.lexicon_path))
        lx = self.lexicon
        self.model_info = ModelInfo(
            name="puheturva.rights_requests.lexicon", version=VERSION,
            sha256=hashlib.sha256(f"lexicon:{digest}\n".encode()).hexdigest(), kind="model",
            settings={"lexicon": lx.name, "lexicon_version": lx.version, "lexicon_sha256": digest,
                      "kinds": list(KINDS), "cues": len(lx.cues), "window": lx.window,
                      "negation_reach": lx.negation_reach, "speaker": CUSTOMER,
                      "lemmatiser": "voikko" if self._lemmatiser.available else "none"})

    @classmethod
    def from_default(cls) -> RightsDetector:
        return cls()

    def detect(self, turns: Sequence[SpokenTurn], speakers: Iterable[str] = (CUSTOMER,)
               ) -> tuple[RightsHit, ...]:
        """Hits in call order; one per (turn, kind, channel), the best-scoring cue's evidence kept."""
        wanted = frozenset(speakers)
        hits: list[RightsHit] = []
        for index, turn in enumerate(turns):
            if turn.speaker in wanted:
                hits.extend(self._detect_turn(index, turn))
        return tuple(hits)

    def detect_text(self, text: str) -> tuple[RightsHit, ...]:
        """One customer line without times (benchmarks, the labelled set)."""
        return self.detect([Turn(CUSTOMER, text, 0.0, 0.0)])

    def _detect_turn(self, index: int, turn: SpokenTurn) -> list[RightsHit]:
        best: dict[tuple[str, str | None], RightsHit] = {}
        # Lower-case character by character so evidence offsets index the original text ("İ" would grow).
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in turn.text)
        said: set[str] = set()  # features of the turn's earlier clauses, for cues with a context
        for clause in self._clause_tokens(lowered):
            clause_feats = frozenset().union(*(t.feats for t in clause))
            for cue in self.lexicon.cues:
                if cue.context and not cue.context & (said | clause_feats):
                    continue
                for hit in self._match(cue, clause, index, turn):
                    key = (hit.kind, hit.channel)
                    if key not in best or hit.score > best[key].score:
                        best[key] = hit
            said |= clause_feats
        kept = _apply_overrides(list(best.values()), self.lexicon.overrides)
        return sorted(kept, key=lambda h: (h.char_start, KINDS.index(h.kind)))

    def _clause_tokens(self, lowered: str) -> list[list[_Token]]:
        """Tokens with lemma features, split into clauses at sentence punctuation, at clause-breaking words
        ("en halua poistaa mutta haluan nähdä" is two clauses) and before an affirmative imperative
        ("ei kiinnosta mainokset lopettakaa": the negation does not reach "lopettakaa").

        Fillers ("öö", "niinku") are dropped, so "mun nii tiedot" is still "tietoni" and they take no room in
        the window; a colloquial or ASR spelling Voikko misreads ("haluun", "tieot") is lemmatised as its
        standard form (the surface form stays a feature); a compound ASR wrote as two words ("henkilö
        tietoni", "sähkö postiin") is joined when the whole word means something to the lexicon that its
        halves do not."""
        lx = self.lexicon
        clauses: list[list[_Token]] = []
        current: list[_Token] = []
        words: list[str] = []  # surface forms of ``current``
        previous = ""
        previous_feats: frozenset[str] = frozenset()
        for m in re.finditer(r"[.!?;]+|" + _TOKEN_RE.pattern, lowered):
            word = m.group()
            start = m.start()
            if _CLAUSE_BREAK_RE.fullmatch(word):
                clauses.append(current)
                current, words, previous, previous_feats = [], [], "", frozenset()
                continue
            if word in lx.fillers:
                continue
            standard = self._colloquial.get(word)
            feats, _known = self._lemmatiser.features(standard or word)
            if standard:
                feats |= {word}
            joined = self._rejoined(previous, word) if current and previous not in lx.possessors else None
            if joined is not None:
                halves = current.pop()
                words.pop()
                word, start = previous + word, halves.start
                feats = joined | (halves.feats & {"#poss1"})
                previous = words[-1] if words else ""
                previous_feats = current[-1].feats if current else frozenset()
            if word in lx.not_negation:  # colloquial "et" is "että", not "you do not"
                feats -= lx.negation
            if previous in lx.possessors:  # "mun tiedot" = "tietoni"
                feats |= {"#poss1"}
            # "minua koskevat tiedot" = "tietoni": the phrase's first word, then its second word's lemma
            before = current[-2].feats if len(current) >= 2 else frozenset()
            if any(second in previous_feats and first in before for first, second in lx.possessor_phrases):
                feats |= {"#poss1"}
            if word in lx.clause_breaks or "#imp" in feats:
                clauses.append(current)
                current, words = [], []
            current.append(_Token(start, m.end(), feats))
            words.append(word)
            previous, previous_feats = word, feats
        clauses.append(current)
        return [c for c in clauses if c]

    def _rejoined(self, first: str, second: str) -> frozenset[str] | None:
        """Features of ``first + second`` when Voikko knows the joined word and it names a lexicon word or a
        channel that neither half does; None otherwise (most pairs: "tiedot poistetaan")."""
        key = (first, second)
        if key not in self._joins:
            self._joins[key] = None
            if len(first) >= 3 and len(second) >= 3 and not first.startswith("[") and not second.startswith("["):
                whole = self._lemmatiser.known_features(first + second)
                if whole:
                    halves = self._lemmatiser.features(first)[0] | self._lemmatiser.features(second)[0]
                    if any(self._cue_word(f) for f in whole - halves):
                        self._joins[key] = whole
        return self._joins[key]

    def _cue_word(self, feature: str) -> bool:
        return feature in self._vocabulary or any(feature.startswith(p) for p in self._channel_prefixes)

    def _match(self, cue: _Cue, clause: list[_Token], index: int, turn: SpokenTurn) -> list[RightsHit]:
        positions = [[(i, rank) for i, tok in enumerate(clause)
                      if (rank := _best_rank(slot, tok.feats)) is not None] for slot in cue.slots]
        if not all(positions):
            return []
        chosen = _nearest_chain(positions, self.lexicon.window)
        if chosen is None:
            return []
        first, last = min(chosen), max(chosen)
        lx = self.lexicon
        feats_in_clause = frozenset().union(*(t.feats for t in clause))
        if cue.unless & feats_in_clause or lx.hedges & feats_in_clause:
            return []
        if any(_best_rank(lx.not_self, t.feats) is not None for t in clause):
            return []
        if any(lx.hedges_before & t.feats for t in clause[:first]):
            return []
        negated = any(lx.negation & t.feats for t in clause[max(0, first - lx.negation_reach): last + 1])
        if negated != cue.negated:
            return []
        cues = tuple(sorted({f for i in chosen for slot in cue.slots for alt in slot
                             if all(_feature_match(f, clause[i].feats) for f in alt)
                             for f in alt if not f.startswith("#")}))
        channels: list[str | None] = [None]
        if cue.kind in _MARKETING:
            channels = list(self._channels(clause)) or ["all"]
        return [RightsHit(kind=cue.kind, channel=ch, turn_index=index, start=turn.start, end=turn.end,
                          char_start=clause[first].start, char_end=clause[last].end, cues=cues,
                          score=cue.score, cue_id=cue.id) for ch in channels]

    def _channels(self, clause: list[_Token]) -> list[str]:
        """Channels named in the clause. Each token counts for its first channel in lexicon order, so
        "sähköposti" (sähkö + posti) is e-mail and not post; ``word*`` matches by prefix
        ("sähköpostimainoksia"); ``channel_ignore`` tokens name no channel ("uutiskirje*" is no letter);
        ``channel_weak`` words count only when nothing else is named ("puhelimeen tekstiviestinä" is SMS)."""
        strong: list[str] = []
        weak: list[str] = []
        for tok in clause:
            if any(_feature_match(w, tok.feats) for w in self.lexicon.channel_ignore):
                continue
            for channel, words in self.lexicon.channels:
                matched = {w for w in words if _feature_match(w, tok.feats)}
                if matched:
                    target = weak if matched <= self.lexicon.channel_weak else strong
                    if channel not in target:
                        target.append(channel)
                    break
        return strong or weak


def _one_edit_apart(a: str, b: str) -> bool:
    """At most one letter inserted, deleted or substituted, or two adjacent letters swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1:]


def _vocabulary(lx: _Lexicon) -> frozenset[str]:
    """The lemmas the cues and channels name (not tags, not prefixes): what a misspelt word may be read as."""
    words = {f for cue in lx.cues for slot in cue.slots for alt in slot for f in alt}
    words |= {w for _, ws in lx.channels for w in ws}
    return frozenset(w for w in words if not w.startswith("#") and not w.endswith("*"))


def _best_rank(slot: tuple[tuple[str, ...], ...], feats: frozenset[str]) -> int | None:
    """Index of the first alternative of ``slot`` the token has (earlier alternatives are stronger cues); a
    ``word*`` feature matches by prefix (a verb Voikko does not know: "deletoikaa")."""
    for rank, alt in enumerate(slot):
        exact, prefixes = _split_alternative(alt)
        if exact <= feats and all(any(f.startswith(p) for f in feats) for p in prefixes):
            return rank
    return None


@lru_cache(maxsize=4096)
def _split_alternative(alt: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(features matched exactly, prefixes of ``word*`` features): the set test is the hot path."""
    return (frozenset(f for f in alt if not f.endswith("*")), tuple(f[:-1] for f in alt if f.endswith("*")))


def _apply_overrides(hits: list[RightsHit], overrides: tuple[tuple[str, frozenset[str]], ...]
                     ) -> list[RightsHit]:
    """Drop a hit when a hit of a kind that overrides it covers overlapping characters of the same turn."""
    dropped: set[int] = set()
    for winner_kind, losers in overrides:
        for w in hits:
            if w.kind != winner_kind:
                continue
            for i, h in enumerate(hits):
                if h.kind in losers and h.char_start < w.char_end and w.char_start < h.char_end:
                    dropped.add(i)
    return [h for i, h in enumerate(hits) if i not in dropped]


def _feature_match(word: str, feats: frozenset[str]) -> bool:
    if word.endswith("*"):
        return any(f.startswith(word[:-1]) for f in feats)
    return word in feats


def _nearest_chain(positions: list[list[tuple[int, int]]], window: int) -> tuple[int, ...] | None:
    """``positions``: per slot, (token index, rank of the alternative it matched). Of the assignments where
    every slot has its own token (so "markkinointiviestejä" is not both verb and object) within ``window``
    tokens, the one with the strongest alternatives, then the tightest span, so the evidence names "tietoni"
    rather than "kaikki". Only tokens within ``window`` of a first-slot anchor are tried, so a long
    unpunctuated turn costs at most (2 * window + 1) ** (slots - 1) assignments per anchor."""
    best: tuple[int, int, tuple[int, ...]] | None = None
    for anchor in positions[0]:
        near = [[p for p in ps if abs(p[0] - anchor[0]) <= window] for ps in positions[1:]]
        for rest in itertools.product(*near):
            combo = (anchor, *rest)
            chain = tuple(i for i, _ in combo)
            span = max(chain) - min(chain)
            if span > window or len(set(chain)) < len(chain):
                continue
            key = (sum(rank for _, rank in combo), span, chain)
            if best is None or key < best:
                best = key
    return None if best is None else best[2]
