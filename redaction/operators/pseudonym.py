"""Replace a span with a per-call consistent pseudonym: the same person or number -> the same ``[HENKILÖ_1]``.

QA reviewers need to follow who said what ("[HENKILÖ_1] gave [PUHELIN_1], later corrected to [PUHELIN_2]")
without seeing who it was. Numbering lives in the per-call ``RedactionState``; a new call starts from 1.
"""

from __future__ import annotations

from redaction.entities import label
from redaction.operators.base import Operator, RedactionState
from redaction.types import Span


class Pseudonym(Operator):
    name = "pseudonym"

    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        return f"[{label(span.type)}_{state.pseudonym_index(span.type, value)}]"
