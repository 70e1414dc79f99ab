"""Payment card numbers (PAN): 13–19 digits, Luhn checksum (``stdnum.luhn``) and a known issuer prefix.

Only the checksum and the issuer table decide; a card number spoken or typed with spaces or dashes is
compacted first. A Luhn-valid number with an unknown prefix still counts, with a lower score, because new
issuer ranges appear faster than any table.
"""

from __future__ import annotations

import regex
from stdnum import luhn
from stdnum.exceptions import ValidationError

from redaction.recognizers.base import PatternRecognizer, finditer
from redaction.types import Explanation, Span

PATTERN = regex.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
# (prefix range low, high, allowed lengths) — Visa, Mastercard, Amex, Discover, Diners, JCB, Maestro,
# UnionPay.
ISSUERS: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)), (51, 55, (16,)), (2221, 2720, (16,)), (34, 34, (15,)), (37, 37, (15,)),
    (6011, 6011, (16, 19)), (644, 649, (16, 19)), (65, 65, (16, 19)), (36, 36, (14, 16, 19)),
    (300, 305, (14, 16, 19)), (38, 39, (16, 19)), (3528, 3589, (16, 19)), (50, 50, (12, 13, 16, 19)),
    (56, 69, (12, 13, 16, 19)), (62, 62, (16, 17, 18, 19)),
)
SCORE_ISSUER = 1.0
SCORE_LUHN_ONLY = 0.6


def compact(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def has_issuer(digits: str) -> bool:
    for low, high, lengths in ISSUERS:
        width = len(str(low))
        if len(digits) in lengths and low <= int(digits[:width]) <= high:
            return True
    return False


def validate(number: str) -> str:
    """Return the compact PAN or raise ``stdnum`` ``ValidationError``."""
    digits = compact(number)
    if not 13 <= len(digits) <= 19:
        raise ValidationError("invalid card number length")
    return luhn.validate(digits)


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return False
    return True


def _groups(text: str) -> list[tuple[int, int]]:
    """Digit groups of a match as (start, end) offsets, to retry shorter prefixes."""
    return [(m.start(), m.end()) for m in regex.finditer(r"\d+", text)]


class CardRecognizer(PatternRecognizer):
    name = "card"
    entities = ("CARD",)

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in finditer(PATTERN, text):
            groups = _groups(m.group())
            # The pattern is greedy: a trailing unrelated number may follow; try dropping whole groups.
            for k in range(len(groups), 0, -1):
                candidate = m.group()[: groups[k - 1][1]]
                if is_valid(candidate):
                    issuer = has_issuer(compact(candidate))
                    score = SCORE_ISSUER if issuer else SCORE_LUHN_ONLY
                    spans.append(Span("CARD", m.start(), m.start() + len(candidate), score, self.name,
                                      Explanation(self.name, "13-19 digits + Luhn", score, validation=True,
                                                  note=None if issuer else "unknown issuer prefix")))
                    break
        return spans
