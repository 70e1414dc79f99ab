"""Recognizers by name. Adding one is one module under ``redaction/recognizers/`` plus an entry here and a
test.

The order is irrelevant to the result (the analyzer merges overlaps by score), so it is alphabetical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from redaction.recognizers.address import AddressRecognizer
from redaction.recognizers.base import Recognizer
from redaction.recognizers.card import CardRecognizer
from redaction.recognizers.cue_number import CueNumberRecognizer
from redaction.recognizers.digit_run import DigitRunRecognizer
from redaction.recognizers.email import EmailRecognizer
from redaction.recognizers.hetu import HetuRecognizer
from redaction.recognizers.iban import IbanRecognizer
from redaction.recognizers.low_confidence import LowConfidenceRecognizer
from redaction.recognizers.person import PersonRecognizer
from redaction.recognizers.phone import PhoneRecognizer
from redaction.recognizers.ytunnus import YtunnusRecognizer

REGISTRY: dict[str, Callable[[], Recognizer]] = {
    cls.name: cls for cls in (
        AddressRecognizer, CardRecognizer, CueNumberRecognizer, DigitRunRecognizer, EmailRecognizer,
        HetuRecognizer, IbanRecognizer, LowConfidenceRecognizer, PersonRecognizer, PhoneRecognizer,
        YtunnusRecognizer,
    )
}


class UnknownRecognizer(KeyError):
    """A recognizer name that is not registered."""


def get(name: str) -> Recognizer:
    """A fresh instance of the recognizer registered as ``name``."""
    try:
        return REGISTRY[name]()
    except KeyError:
        raise UnknownRecognizer(name) from None


def names() -> list[str]:
    return sorted(REGISTRY)


def build(selected: Iterable[str] | None = None) -> list[Recognizer]:
    """Instances of the named recognizers, or of all of them."""
    return [get(n) for n in (names() if selected is None else selected)]
