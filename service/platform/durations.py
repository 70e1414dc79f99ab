"""Calendar durations as the register and retention files write them: ``0 days``, ``3 months``, ``2 years``.

Months are calendar months (31 January + 1 month = 28/29 February), because a privacy notice that says
"12 kuukautta" means the same date next year, not 360 days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_RE = re.compile(r"^\s*(\d+)\s*(day|days|month|months|year|years)\s*$")


class DurationError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Duration:
    months: int = 0
    days: int = 0

    def after(self, start: datetime) -> datetime:
        """``start`` plus this duration (month ends clamp to the last day of the target month)."""
        total = start.month - 1 + self.months
        year, month = start.year + total // 12, total % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day) + timedelta(days=self.days)

    def approx_days(self) -> float:
        """For comparing durations (which policy keeps longer): months count as 30.44 days."""
        return self.months * 30.4375 + self.days

    def __str__(self) -> str:
        if self.months and self.months % 12 == 0 and not self.days:
            return f"{self.months // 12} years"
        if self.months:
            return f"{self.months} months" + (f" {self.days} days" if self.days else "")
        return f"{self.days} days"


def parse_duration(text: str) -> Duration:
    m = _RE.match(str(text))
    if not m:
        raise DurationError(f"not a duration: {text!r} (use e.g. '0 days', '3 months', '2 years')")
    n, unit = int(m.group(1)), m.group(2)
    if unit.startswith("day"):
        return Duration(days=n)
    return Duration(months=n * (12 if unit.startswith("year") else 1))
