"""Turns of the redacted call cut into display segments: words (seekable), redaction chips, and the gaps.

Every character of a turn's stored text belongs to exactly one segment and every segment carries its
``[start, end)`` offsets in that text. The browser maps a selection back to stored offsets through them
(``data-s``/``data-e``) even though a chip shows ``HETU`` where the text holds ``[HETU]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from redaction.audio import merge_ranges
from service.calls.document import CallDocument, EntityView, TurnView
from service.store.records import StoredWord

LOW_CONFIDENCE = 0.5  # words the ASR heard with a lower probability are shaded: the reviewer should listen


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
    p: float | None = None  # ASR probability of a word (shaded below ``LOW_CONFIDENCE``)


def turn_segments(text: str, words: Sequence[StoredWord], entities: Sequence[EntityView]) -> list[Segment]:
    """Segments covering ``text`` in order. Entities win over words; anything inconsistent becomes a gap."""
    items: list[Segment] = []
    for e in entities:
        s, end = e.start, e.end
        if 0 <= s < end <= len(text):
            items.append(Segment("chip", s, end, text[s:end].strip("[]") or e.type, t=e.t_start,
                                 type=e.type, human=e.recognizer == "human_reviewer",
                                 score=e.score, recognizer=e.recognizer))
    for w in words:
        s, end = int(w.get("char_start", -1)), int(w.get("char_end", -1))
        if not w.get("redacted") and 0 <= s < end <= len(text):
            items.append(Segment("word", s, end, text[s:end], t=w.get("start"), p=w.get("p")))
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


@dataclass(frozen=True)
class DisplayTurn:
    """A turn of the document with its display segments (``turn.speaker``, ``segments`` in the template)."""

    turn: int
    speaker: str
    channel: int
    start: float
    end: float
    segments: list[Segment]


def display_turns(doc: CallDocument) -> list[DisplayTurn]:
    """The document's turns, each with its segments (words, chips for the entities that sit in it, gaps)."""
    by_turn: dict[int, list[EntityView]] = {}
    for e in doc.entities:
        by_turn.setdefault(e.turn, []).append(e)

    def shown(t: TurnView) -> DisplayTurn:
        return DisplayTurn(turn=t.turn, speaker=t.speaker, channel=t.channel, start=t.start, end=t.end,
                           segments=turn_segments(t.text, t.words, by_turn.get(t.turn, [])))
    return [shown(t) for t in doc.turns]


def redacted_time_ranges(entities: Sequence[EntityView], pad_s: float) -> list[tuple[float, float]]:
    """Where the audio was redacted, as the pipeline pads it: entity word times ± ``pad_s``, merged."""
    return merge_ranges([(max(0.0, e.t_start - pad_s), e.t_end + pad_s)
                         for e in entities if e.t_start is not None and e.t_end is not None])


def has_low_confidence(doc: CallDocument) -> bool:
    """Whether any shown word was heard below ``LOW_CONFIDENCE`` (the page then explains the shading)."""
    return any(w.get("p", 1.0) < LOW_CONFIDENCE and not w.get("redacted") for t in doc.turns for w in t.words)
