"""Seeded generator of Finnish customer-service call lines with gold identifier spans, for fitting detection
rules on ``train`` and reporting on ``dev`` (no shared names, streets, cities or phrasings).

    from bench.callgen import generate
    lines = generate(split="dev", style="spoken", seed=2026)

Styles: ``written`` (typed transcript), ``lower`` (ASR that writes digits), ``spoken`` (ASR that writes
numbers and letters as Finnish words). CLI: ``python -m bench.callgen --split dev --style spoken``.
"""

from bench.callgen.generator import DEFAULT_SEED, generate
from bench.callgen.lines import STYLES, GeneratedLine, GoldSpan

__all__ = ["DEFAULT_SEED", "STYLES", "GeneratedLine", "GoldSpan", "generate"]
