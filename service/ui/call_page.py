"""Turns of the redacted call cut into display segments: words (seekable), redaction chips, and the gaps.

Every character of a turn's stored text belongs to exactly one segment and every segment carries its
``[start, end)`` offsets in that text. The browser maps a selection back to stored offsets through them
(``data-s``/``data-e``) even though a chip shows ``HETU`` where the text holds ``[HETU]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from redaction.audio import merge_ranges


@dataclass(frozen=True)
class Segment:
    kind: Literal["word", "chip", "gap"]
    start: int
    end: int
    text: str  # what is shown
    t: float | None = None  # where a click seeks (seconds)
    type: str | None = None  # entity type of a chip
    human: bool = False  # a chip a reviewer reported
    score: float | None = None
    recognizer: str | None = None


def turn_segments(text: str, words: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[Segment]:
    """Segments covering ``text`` in order. Entities win over words; anything inconsistent becomes a gap."""
    items: list[Segment] = []
    for e in entities:
        s, end = int(e["start"]), int(e["end"])
        if 0 <= s < end <= len(text):
            items.append(Segment("chip", s, end, text[s:end].strip("[]") or e["type"], t=e.get("t_start"),
                                 type=e["type"], human=e.get("recognizer") == "human_reviewer",
                                 score=e.get("score"), recognizer=e.get("recognizer")))
    for w in words:
        s, end = int(w.get("char_start", -1)), int(w.get("char_end", -1))
        if not w.get("redacted") and 0 <= s < end <= len(text):
            items.append(Segment("word", s, end, text[s:end], t=w.get("start")))
    items.sort(key=lambda seg: (seg.start, seg.kind != "chip"))
    out: list[Segment] = []
    pos = 0
    for seg in items:
        if seg.start < pos:
            continue  # overlaps what is already placed
        if seg.start > pos:
            out.append(Segment("gap", pos, seg.start, text[pos:seg.start]))
        out.append(seg)
        pos = seg.end
    if pos < len(text):
        out.append(Segment("gap", pos, len(text), text[pos:]))
    return out


def display_turns(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The document's turns, each with its segments and the entities that sit in it."""
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for e in doc.get("entities", []):
        by_turn.setdefault(int(e["turn"]), []).append(e)
    return [t | {"segments": turn_segments(t["text"], list(t.get("words") or []), by_turn.get(t["turn"], []))}
            for t in doc.get("turns", [])]


def redacted_time_ranges(entities: list[dict[str, Any]], pad_s: float) -> list[tuple[float, float]]:
    """Where the audio was redacted, as the pipeline pads it: entity word times ± ``pad_s``, merged."""
    return merge_ranges([(max(0.0, float(e["t_start"]) - pad_s), float(e["t_end"]) + pad_s)
                         for e in entities if e.get("t_start") is not None and e.get("t_end") is not None])
