"""Finnish business ID (Y-tunnus) ``NNNNNNN-C``, validated by ``stdnum.fi.ytunnus``.

A sole trader's Y-tunnus is personal data, and nothing in a call or a document tells a sole trader's code
from a company's, so every valid code is redacted, cue or not ("Lounea Oy (0139471-8)"): the check digit
(mod 11) and the exact ``NNNNNNN-C`` shape make a chance match rare. A code whose check digit fails is
redacted only after a cue ("y-tunnus", "toiminimi", "yritys"), which vouches for it.
"""

from __future__ import annotations

import regex
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus as _stdnum_ytunnus

from redaction.recognizers.base import PatternRecognizer, finditer
from redaction.types import Explanation, Span

PATTERN = regex.compile(r"(?<![\w-])\d{7} ?- ?\d(?![\w-])")
SCORE_VALID = 0.6
SCORE_SHAPE = 0.4  # the shape with a wrong check digit: only a cue lifts it over the threshold


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
        spans = []
        for m in finditer(PATTERN, text):
            valid = is_valid(m.group())
            score = SCORE_VALID if valid else SCORE_SHAPE
            spans.append(Span("YTUNNUS", m.start(), m.end(), score, self.name,
                              Explanation(self.name, "NNNNNNN-C", score, validation=valid)))
        return spans
