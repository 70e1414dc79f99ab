"""Small helpers shared by the repositories."""

from __future__ import annotations

from typing import Any


def rowcount(result: Any) -> int:
    """Rows a bulk ``UPDATE``/``DELETE`` touched (0 where the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)
