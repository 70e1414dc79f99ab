"""Replace a span with a typed Finnish label such as ``[HETU]`` or ``[HENKILÖ]`` (the default operator)."""

from __future__ import annotations

from redaction.operators.base import Operator, RedactionState
from redaction.types import Span

LABELS: dict[str, str] = {
    "HETU": "HETU", "PHONE": "PUHELIN", "EMAIL": "SÄHKÖPOSTI", "IBAN": "TILINUMERO", "CARD": "KORTTI",
    "YTUNNUS": "Y-TUNNUS", "CUSTOMER_NUMBER": "ASIAKASNUMERO", "PERSON": "HENKILÖ", "ADDRESS": "OSOITE",
    "NUMBER": "NUMERO",
}


def label(span_type: str) -> str:
    """The Finnish label of an entity type; unknown types keep their own name."""
    return LABELS.get(span_type, span_type)


class Placeholder(Operator):
    name = "placeholder"

    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        return f"[{label(span.type)}]"
