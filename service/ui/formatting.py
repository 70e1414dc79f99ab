"""How times and durations read on screen: Finnish local time, conventions of the chosen language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Helsinki")  # the call centre's clock, whatever the server's


def local_datetime(value: datetime | str | None, lang: str) -> str:
    """``2.11.2026 klo 9.15`` in Finnish, ``2026-11-02 09:15`` in English; ``–`` when unknown."""
    if value is None:
        return "–"
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    dt = dt.astimezone(LOCAL_TZ)
    if lang == "fi":
        return f"{dt.day}.{dt.month}.{dt.year} klo {dt.hour}.{dt.minute:02d}"
    return dt.strftime("%Y-%m-%d %H:%M")


def local_date(value: datetime | str | None, lang: str) -> str:
    if value is None:
        return "–"
    dt = (datetime.fromisoformat(value) if isinstance(value, str) else value).astimezone(LOCAL_TZ)
    return f"{dt.day}.{dt.month}.{dt.year}" if lang == "fi" else dt.strftime("%Y-%m-%d")


def clock(seconds: float | None) -> str:
    """``1:05`` (m:ss) or ``1:02:05`` for a position in a recording."""
    if seconds is None:
        return "–"
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def day_bounds(day_from: date | None, day_to: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC instants bounding whole local days ``[from 00:00, to+1 00:00)`` for date filters."""
    lo = datetime.combine(day_from, time(), LOCAL_TZ) if day_from else None
    hi = datetime.combine(day_to + timedelta(days=1), time(), LOCAL_TZ) if day_to else None
    return lo, hi
