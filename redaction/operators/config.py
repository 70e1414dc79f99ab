"""Which operator redacts which entity type; anything not listed gets the DEFAULT (placeholder).

Operators are registered by name, as recognizers are (``redaction.registry``): adding one is its module, its
entry in ``OPERATORS`` and a test. Settings name them (``PUHETURVA_OPERATORS``); ``from_names`` builds the
configuration and ``check_names`` refuses an unknown operator or entity type before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redaction.entities import SPECS
from redaction.operators.base import Operator
from redaction.operators.hash import Hash
from redaction.operators.mask import Mask
from redaction.operators.placeholder import Placeholder
from redaction.operators.pseudonym import Pseudonym

DEFAULT = "DEFAULT"
OPERATORS: dict[str, type[Operator]] = {cls.name: cls for cls in (Hash, Mask, Placeholder, Pseudonym)}
KEYED = frozenset({Hash.name})  # built with the hash key


class UnknownOperator(KeyError):
    """An operator name that does not exist."""


class UnknownEntityType(KeyError):
    """An entity type that ``redaction.entities`` does not know."""


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


def check_names(names: Mapping[str, str]) -> None:
    """Raise ``UnknownEntityType`` or ``UnknownOperator`` (naming it) for a setting that cannot work."""
    for typ, name in names.items():
        if typ != DEFAULT and typ not in SPECS:
            raise UnknownEntityType(typ)
        if name not in OPERATORS:
            raise UnknownOperator(name)


def _by_name(name: str, hash_key: bytes | None) -> Operator:
    try:
        cls = OPERATORS[name]
    except KeyError:
        raise UnknownOperator(name) from None
    return Hash(key=hash_key or b"") if name in KEYED else cls()
