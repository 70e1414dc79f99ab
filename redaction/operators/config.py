"""Which operator redacts which entity type; anything not listed gets the DEFAULT (placeholder)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redaction.operators.base import Operator
from redaction.operators.hash import Hash
from redaction.operators.mask import Mask
from redaction.operators.placeholder import Placeholder
from redaction.operators.pseudonym import Pseudonym

DEFAULT = "DEFAULT"


class UnknownOperator(KeyError):
    """An operator name that does not exist."""


@dataclass(frozen=True)
class OperatorConfig:
    """Entity type -> operator, e.g. ``OperatorConfig({"PERSON": Pseudonym()})``; DEFAULT for the rest."""

    operators: Mapping[str, Operator] = field(default_factory=dict)
    default: Operator = field(default_factory=Placeholder)

    def for_type(self, span_type: str) -> Operator:
        return self.operators.get(span_type, self.default)

    @classmethod
    def from_names(cls, names: Mapping[str, str], *, hash_key: bytes | None = None) -> OperatorConfig:
        """Build from operator names (as in settings): ``{"PERSON": "pseudonym", "DEFAULT":
        "placeholder"}``."""
        built = {t: _by_name(n, hash_key) for t, n in names.items()}
        default = built.pop(DEFAULT, Placeholder())
        return cls(built, default)


def _by_name(name: str, hash_key: bytes | None) -> Operator:
    if name == "placeholder":
        return Placeholder()
    if name == "pseudonym":
        return Pseudonym()
    if name == "mask":
        return Mask()
    if name == "hash":
        return Hash(key=hash_key or b"")
    raise UnknownOperator(name)
