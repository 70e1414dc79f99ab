"""Operators that replace detected spans, one small module each, chosen per type by ``OperatorConfig``."""

from redaction.operators.base import Operator, RedactionState
from redaction.operators.config import (
    DEFAULT,
    OPERATORS,
    OperatorConfig,
    UnknownEntityType,
    UnknownOperator,
    check_names,
)
from redaction.operators.engine import SpanOutOfRange, redact
from redaction.operators.hash import Hash, MissingHashKey
from redaction.operators.mask import Mask
from redaction.operators.placeholder import Placeholder
from redaction.operators.pseudonym import Pseudonym

__all__ = [
    "DEFAULT", "OPERATORS", "Hash", "Mask", "MissingHashKey", "Operator", "OperatorConfig", "Placeholder",
    "Pseudonym", "RedactionState", "SpanOutOfRange", "UnknownEntityType", "UnknownOperator", "check_names", "redact",
]
