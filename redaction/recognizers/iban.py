"""International bank account numbers (IBAN), Finnish and foreign, validated by ``stdnum.iban``.

People and ASR split an IBAN into groups of four ("FI50 1034 5600 1234 56"); the pattern allows single
spaces between characters and the checksum decides where the number ends.
"""

from __future__ import annotations

import re

import regex
from stdnum import iban as _stdnum_iban
from stdnum.exceptions import ValidationError

from redaction.recognizers.base import PatternRecognizer, finditer
from redaction.types import Explanation, Span

# The subject index's test of a typed IBAN: country, check digits and a BBAN of plausible length; the checksum
# is not asked there (it never was: moving the rule here from ``service.privacy.subject_index`` kept it as it is).
SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{4,30}$")
PATTERN = regex.compile(r"(?<![\w])[A-Za-z]{2} ?\d{2}(?: ?[0-9A-Z]){11,30}(?![\w])")
SCORE_VALID = 1.0
SCORE_SHAPE = 0.4


def compact(number: str) -> str:
    return "".join(number.split()).upper()


def validate(number: str) -> str:
    """Return the compact IBAN or raise a ``stdnum`` ``ValidationError``."""
    return _stdnum_iban.validate(compact(number))


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return False
    return True


def index_form(number: str) -> str | None:
    """stdnum's compact form (blanks and dashes dropped, upper case) when it has an IBAN's shape, else None."""
    compacted = _stdnum_iban.compact(number)
    return compacted if SHAPE.match(compacted) else None


class IbanRecognizer(PatternRecognizer):
    name = "iban"
    entities = ("IBAN",)

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in finditer(PATTERN, text):
            best = self._longest_valid(m.group())
            if not best and not m.group()[:2].isupper() and m.group()[:2].lower() != "fi":
                continue  # lower-case letters before a number: a country code only when the checksum says so
            end = m.start() + (best if best else len(m.group()))
            score = SCORE_VALID if best else SCORE_SHAPE
            spans.append(Span("IBAN", m.start(), end, score, self.name,
                              Explanation(self.name, "CC NN BBAN", score, validation=bool(best))))
        return spans

    @staticmethod
    def _longest_valid(candidate: str) -> int:
        """Length of the longest prefix (ending at a character) that validates; 0 when none does."""
        for end in range(len(candidate), 14, -1):
            if candidate[end - 1] != " " and is_valid(candidate[:end]):
                return end
        return 0
