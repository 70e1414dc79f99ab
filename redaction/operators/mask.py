"""Mask letters and digits with a character, keeping spaces and punctuation (and optionally the last few).

Keeps the shape of the text for readers ("*** *** ****"); it reveals the length, so it is not the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from redaction.operators.base import Operator, RedactionState
from redaction.types import Span


@dataclass(frozen=True)
class Mask(Operator):
    name = "mask"
    char: str = "*"
    keep_last: int = 0  # e.g. 2 shows the last two characters of a card number; 0 reveals nothing

    def replace(self, span: Span, value: str, state: RedactionState) -> str:
        alnum_positions = [i for i, c in enumerate(value) if c.isalnum()]
        keep = set(alnum_positions[len(alnum_positions) - self.keep_last:]) if self.keep_last > 0 else set()
        return "".join(c if (not c.isalnum() or i in keep) else self.char for i, c in enumerate(value))
