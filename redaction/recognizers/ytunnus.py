"""Finnish business ID (Y-tunnus) ``NNNNNNN-C``, validated by ``stdnum.fi.ytunnus``.

A sole trader's Y-tunnus is personal data; a company's is not, and the bare shape collides with other
numbers. So a valid code alone scores below the threshold and only a cue ("y-tunnus", "toiminimi", "yritys")
lifts it.
"""

from __future__ import annotations

import regex
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus as _stdnum_ytunnus

from redaction.recognizers.base import PatternRecognizer, finditer
from redaction.types import Explanation, Span

PATTERN = regex.compile(r"(?<![\w-])\d{7} ?- ?\d(?![\w-])")
SCORE_VALID = 0.4


def compact(number: str) -> str:
    return "".join(number.split())


def validate(number: str) -> str:
    return _stdnum_ytunnus.validate(compact(number))


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return False
    return True


class YtunnusRecognizer(PatternRecognizer):
    name = "ytunnus"
    entities = ("YTUNNUS",)

    def find(self, text: str) -> list[Span]:
        return [Span("YTUNNUS", m.start(), m.end(), SCORE_VALID, self.name,
                     Explanation(self.name, "NNNNNNN-C", SCORE_VALID, validation=True))
                for m in finditer(PATTERN, text) if is_valid(m.group())]
