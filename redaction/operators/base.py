"""The operator contract: turn one detected span into its replacement text.

Operators are chosen per entity type by an ``OperatorConfig`` (with a DEFAULT), as in Presidio's anonymizer.
They get the span's raw value only to derive a replacement (a pseudonym index, a keyed hash); no operator
may return or keep the raw value.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from redaction.entities import NUMBER_TYPES
from redaction.types import Span


def identity_key(span_type: str, value: str) -> str:
    """A normalised form of a value so that the same identifier, said twice, gets the same pseudonym or hash.

    Numbers: letters and digits only ("040 765 1234" == "0407651234"). Names and the rest: case-folded words
    cut to five letters, so that inflected forms match ("Tiina Laineelle" == "Tiina Laine").
    """
    if span_type in NUMBER_TYPES:
        return span_type + ":" + re.sub(r"[\W_]", "", value).upper()
    words = re.findall(r"\w+", value.casefold())
    return span_type + ":" + " ".join(w[:5] for w in words)


@dataclass
class RedactionState:
    """Per-call memory shared by all spans of one call (pseudonym numbering). Holds digests, never values."""

    pseudonyms: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def pseudonym_index(self, span_type: str, value: str) -> int:
        digest = hashlib.sha256(identity_key(span_type, value).encode()).hexdigest()
        if digest not in self.pseudonyms:
            self.counters[span_type] = self.counters.get(span_type, 0) + 1
            self.pseudonyms[digest] = self.counters[span_type]
        return self.pseudonyms[digest]


class Operator(ABC):
    name: ClassVar[str]

    @abstractmethod
    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        """Replacement text for ``value`` (the original text under ``span``)."""
