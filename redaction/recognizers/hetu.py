"""Finnish personal identity code (henkilötunnus, HETU): ``DDMMYYCZZZQ``.

Validation is python-stdnum's ``stdnum.fi.hetu``, which knows the 2023 century signs (Y X W V U for the
1900s, B C D E F for the 2000s) besides ``+ - A``; temporary numbers (individual part 900–999) are personal
data too, so they are accepted. The separator is part of the identity: ``compact`` only drops spaces, never
rewrites it.
"""

from __future__ import annotations

import regex
from stdnum.exceptions import ValidationError
from stdnum.fi import hetu as _stdnum_hetu

from redaction.recognizers.base import PatternRecognizer, finditer
from redaction.types import Explanation, Span

PATTERN = regex.compile(r"(?<![\w+-])\d{6} ?[-+ABCDEFYXWVU] ?\d{3}[0-9A-Y](?![\w-])", regex.IGNORECASE)
SCORE_VALID = 1.0
# Right shape but a date or individual number stdnum refuses (e.g. individual 000/001, never issued): the
# shape with a century sign is specific enough to redact.
SCORE_COMPONENT = 0.75
SCORE_SHAPE = 0.45  # right shape, wrong checksum: a cue ("hetu", "henkilötunnus") lifts it over the threshold


def compact(number: str) -> str:
    """Drop spaces (ASR and people split the code) and upper-case; the separator stays as it was."""
    return "".join(number.split()).upper()


def validate(number: str) -> str:
    """Return the compact code or raise a ``stdnum`` ``ValidationError`` (its messages carry no digits)."""
    return _stdnum_hetu.validate(compact(number), allow_temporary=True)


def is_valid(number: str) -> bool:
    try:
        validate(number)
    except ValidationError:
        return False
    return True


def has_shape(number: str) -> bool:
    """``DDMMYY C NNN Q`` once compacted, checksum unchecked: what the subject index and the written form of a
    spoken code ask (a typed code with a wrong check character is refused separately, with its own message)."""
    return PATTERN.fullmatch(compact(number)) is not None


def problem(number: str) -> str | None:
    """None when valid, else the stdnum error class name ("InvalidChecksum", "InvalidComponent", …)."""
    try:
        validate(number)
    except ValidationError as exc:
        return type(exc).__name__
    return None


class HetuRecognizer(PatternRecognizer):
    name = "hetu"
    entities = ("HETU",)

    def find(self, text: str) -> list[Span]:
        spans = []
        for m in finditer(PATTERN, text):
            error = problem(m.group())
            score = {None: SCORE_VALID, "InvalidComponent": SCORE_COMPONENT}.get(error, SCORE_SHAPE)
            spans.append(Span("HETU", m.start(), m.end(), score, self.name, Explanation(
                self.name, "DDMMYY C NNN Q", score, validation=error is None, note=error)))
        return spans
