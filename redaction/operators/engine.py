"""Apply operators to spans: everything outside the spans is kept byte-identical."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from redaction.operators.base import RedactionState
from redaction.operators.config import OperatorConfig
from redaction.spans import merge_overlaps
from redaction.types import AppliedOperator, RedactionResult, Span


class SpanOutOfRange(ValueError):
    """A span does not lie inside the text it is said to belong to."""


def redact(text: str, spans: list[Span] | tuple[Span, ...], config: OperatorConfig | None = None,
           state: RedactionState | MutableMapping[str, Any] | None = None) -> RedactionResult:
    """Replace each span of ``text`` by its operator's output.

    Overlapping spans are merged first (the union is redacted, typed by the strongest). ``state`` carries
    pseudonym numbering across the texts of one call; pass the same object for every turn of the call. A
    plain dict works too (the ``RedactionState`` is kept inside it), for callers that hold per-call state as
    a dict.
    """
    config = config or OperatorConfig()
    state = _state(state)
    for span in spans:
        if not 0 <= span.start <= span.end <= len(text):
            raise SpanOutOfRange("span outside the text")
    merged = merge_overlaps([s for s in spans if s.end > s.start])
    pieces: list[str] = []
    applied: list[AppliedOperator] = []
    pos = out_len = 0
    for span in merged:
        pieces.append(text[pos:span.start])
        out_len += span.start - pos
        operator = config.for_type(span.type)
        replacement = operator.replace(span, text[span.start:span.end], state)
        pieces.append(replacement)
        applied.append(AppliedOperator(span, operator.name, replacement, out_len, out_len + len(replacement)))
        out_len += len(replacement)
        pos = span.end
    pieces.append(text[pos:])
    return RedactionResult("".join(pieces), tuple(merged), tuple(applied))


def _state(state: RedactionState | MutableMapping[str, Any] | None) -> RedactionState:
    if state is None:
        return RedactionState()
    if isinstance(state, RedactionState):
        return state
    held = state.setdefault("redaction_state", RedactionState())
    if not isinstance(held, RedactionState):
        raise TypeError("state['redaction_state'] must be a RedactionState")
    return held
