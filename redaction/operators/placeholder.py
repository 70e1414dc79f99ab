"""Replace a span with a typed Finnish label such as ``[HETU]`` or ``[HENKILÖ]`` (the default operator).

The labels are the ``label`` column of ``redaction.entities``.
"""

from __future__ import annotations

from redaction.entities import label
from redaction.operators.base import Operator, RedactionState
from redaction.types import Span


class Placeholder(Operator):
    name = "placeholder"

    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        return f"[{label(span.type)}]"
