"""Read the annotated corpora (``[[TYPE|surface text]]`` markup) and score spans against them.

Shared by ``bench/pii_quality.py`` and the corpus tests so that both measure the same thing:

* recall: a gold identifier counts as found when every letter and digit of it lies inside some predicted
  span (of any type: for privacy, a phone number redacted as a generic number is still redacted);
* typed recall: found, and at least one overlapping span has the gold type;
* character precision: of the letters and digits inside predicted spans, the share inside gold spans;
* clean-line false positives: lines without markup where anything was predicted;
* ASR leaks: ``leaks``/``over_redacted`` re-implement ``/work/shared/tools/audio_leak.py`` faithfully (same
  digit-word list, same 0.8 / 0.75 similarity cut-offs, same 70 % rule for clean clips) for the bare Whisper
  output in ``tests/data/bare_base_asr.jsonl`` and the pipeline's own ASR in ``pipeline_asr_dev.jsonl``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MARKUP = re.compile(r"\[\[(\w+)\|([^\]]*)\]\]")


@dataclass(frozen=True)
class Gold:
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Line:
    text: str
    gold: tuple[Gold, ...]
    where: str  # "file:line" for failure messages (the corpus is synthetic, so quoting it is fine)


def parse_line(raw: str, where: str = "") -> Line:
    """Strip the markup, remembering where each gold span lands in the plain text."""
    out: list[str] = []
    gold: list[Gold] = []
    pos = 0
    length = 0
    for m in MARKUP.finditer(raw):
        out.append(raw[pos:m.start()])
        length += m.start() - pos
        gold.append(Gold(m.group(1), length, length + len(m.group(2))))
        out.append(m.group(2))
        length += len(m.group(2))
        pos = m.end()
    out.append(raw[pos:])
    return Line("".join(out), tuple(gold), where)


def read_corpus(path: str) -> list[Line]:
    lines = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.rstrip("\n")
            if raw.strip() and not raw.lstrip().startswith("#"):
                lines.append(parse_line(raw, f"{path}:{n}"))
    return lines


def _alnum_positions(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if text[i].isalnum()}


def covered(line: Line, gold: Gold, spans: Iterable[tuple[int, int, str]]) -> bool:
    need = _alnum_positions(line.text, gold.start, gold.end)
    have: set[int] = set()
    for s, e, _ in spans:
        have |= need & set(range(s, e))
    return need <= have


def typed(gold: Gold, spans: Iterable[tuple[int, int, str]]) -> bool:
    return any(t == gold.type and s < gold.end and gold.start < e for s, e, t in spans)


@dataclass
class Score:
    """Counts per entity type plus character precision and clean-line false positives over a corpus."""

    found: dict[str, int]
    typed_found: dict[str, int]
    total: dict[str, int]
    predicted_chars: int = 0
    correct_chars: int = 0
    clean_lines: int = 0
    clean_false_positives: int = 0
    misses: list[str] | None = None

    def recall(self, typ: str) -> float:
        return self.found.get(typ, 0) / self.total[typ] if self.total.get(typ) else float("nan")

    def typed_recall(self, typ: str) -> float:
        return self.typed_found.get(typ, 0) / self.total[typ] if self.total.get(typ) else float("nan")

    @property
    def char_precision(self) -> float:
        return self.correct_chars / self.predicted_chars if self.predicted_chars else 1.0


def score(lines: list[Line], predictions: list[list[tuple[int, int, str]]]) -> Score:
    """Score ``predictions`` (one list of (start, end, type) per line) against the gold markup."""
    result = Score({}, {}, {}, misses=[])
    for line, spans in zip(lines, predictions, strict=True):
        gold_chars: set[int] = set()
        for g in line.gold:
            result.total[g.type] = result.total.get(g.type, 0) + 1
            gold_chars |= _alnum_positions(line.text, g.start, g.end)
            if covered(line, g, spans):
                result.found[g.type] = result.found.get(g.type, 0) + 1
                if typed(g, spans):
                    result.typed_found[g.type] = result.typed_found.get(g.type, 0) + 1
            else:
                result.misses.append(f"{line.where} {g.type}")
        predicted: set[int] = set()
        for s, e, _ in spans:
            predicted |= _alnum_positions(line.text, s, e)
        result.predicted_chars += len(predicted)
        result.correct_chars += len(predicted & gold_chars)
        if not line.gold:
            result.clean_lines += 1
            if spans:
                result.clean_false_positives += 1
                result.misses.append(f"{line.where} CLEAN-LINE-FP")
    return result


# ------------------------------------------------------------------------------------------- ASR leak score

# Copied from the scorer (independent of the project's code): digit words and ASR misspellings.
WORDS = {
    "0": ["nolla", "nolra", "nola", "nol"], "1": ["yksi", "yks", "uksi", "yksin"],
    "2": ["kaksi", "kaks", "kahksi"],
    "3": ["kolme", "kolmen", "koulme"], "4": ["neljä", "nelja", "eljä", "neljää", "nelj"],
    "5": ["viisi", "viis", "misi", "visi", "mesi", "mese"], "6": ["kuusi", "kuus", "kusi", "kuu"],
    "7": ["seitsemän", "seittemän", "seitsemä", "semmän", "saitsemän", "seiska"],
    "8": ["kahdeksan", "kaheksan", "kahteksan", "karteksan", "kasi"], "9": ["yhdeksän", "yheksän", "ysi"],
}


def _digit_of(tok: str) -> str | None:
    if tok.isdigit():
        return tok
    best, score = None, 0.0
    for d, forms in WORDS.items():
        for f in forms:
            r = difflib.SequenceMatcher(None, tok, f).ratio()
            if r > score:
                best, score = d, r
    return best if score >= 0.8 else None


def _digits(text: str) -> str:
    return "".join(_digit_of(t) or "|" for t in re.findall(r"\w+", text.lower()))


def leaks(typ: str, gold: str, text: str) -> bool:
    if typ in ("HETU", "PHONE", "IBAN", "CARD"):
        g, t = re.sub(r"\D", "", gold), _digits(text)
        return difflib.SequenceMatcher(None, g, t).find_longest_match(0, len(g), 0, len(t)).size >= 4
    if typ in ("PERSON", "ADDRESS", "EMAIL"):
        gold_words = [w for w in re.findall(r"[a-zåäö]+", gold.lower())
                      if len(w) >= 4 and w not in ("gmail", "com")]
        toks = re.findall(r"[a-zåäö]+", text.lower())
        return any(difflib.SequenceMatcher(None, g, t).ratio() >= 0.75 for g in gold_words for t in toks)
    return False


def masked_tokens(text: str) -> tuple[int, int]:
    """(masked, all) tokens of a redacted text, tokenised as ``audio_leak.py`` does."""
    toks = re.findall(r"\[[^\]]*\]|<[^>]*>|\w+", text)
    return sum(1 for t in toks if t[0] in "[<" or set(t) <= set("*#X")), len(toks)


def over_redacted(text: str) -> bool:
    """``audio_leak.py``'s rule for a text without identifiers: at least 70 % of its tokens kept."""
    masked, total = masked_tokens(text)
    return not total or masked > 0.3 * total


BARE_ASR = "bare_base_asr.jsonl"  # bare Whisper base, default decoding
PIPELINE_ASR = "pipeline_asr_dev.jsonl"  # what ``puheturva process`` transcribes before redaction


def read_asr_clips(data_dir: str | Path, asr_file: str = BARE_ASR) -> list[tuple[str, str, str, str]]:
    """(clip id, gold type, gold value, ASR text) from ``dev_audio_clips.tsv`` and an ASR jsonl (``BARE_ASR``
    or ``PIPELINE_ASR``)."""
    data = Path(data_dir)
    with (data / "dev_audio_clips.tsv").open(encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    with (data / asr_file).open(encoding="utf-8") as f:
        asr = {row["id"]: row["asr"] for row in map(json.loads, f)}
    return [(cid, typ, gold, asr[cid]) for cid, typ, gold, _ in rows]


def leak_score(clips: list[tuple[str, str, str, str]],
               outputs: dict[str, str]) -> tuple[list[str], list[str]]:
    """(ids of clips whose identifier leaks, ids of clean clips that were over-redacted)."""
    leaked, over = [], []
    for cid, typ, gold, _ in clips:
        if typ == "NONE":
            if over_redacted(outputs[cid]):
                over.append(cid)
        elif leaks(typ, gold, outputs[cid]):
            leaked.append(cid)
    return leaked, over
