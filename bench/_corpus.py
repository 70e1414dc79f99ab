"""Read the annotated corpora (``[[TYPE|surface text]]`` markup) and score spans against them.

Shared by ``bench/pii_quality.py`` and the corpus tests so that both measure the same thing:

* recall: a gold identifier counts as found when every letter and digit of it lies inside some predicted span
  (of any type: for privacy, a phone number redacted as a generic number is still redacted);
* typed recall: found, and at least one overlapping span has the gold type;
* character precision: of the letters and digits inside predicted spans, the share inside gold spans;
* clean-line false positives: lines without markup where anything was predicted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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
