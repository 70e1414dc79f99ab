"""Slowing down password guessing on the UI login: failed attempts counted per client address and name.

In-process and in memory on purpose: one API process serves the UI in every supported deployment, and a
restart forgetting the counts costs an attacker nothing they did not have (argon2 keeps each guess slow).
Two limits: ``per_name`` failures for one (address, user name) in ``window_s`` — a targeted guess — and
``per_address`` failures from one address over any names — spraying; generous, since a reverse proxy puts
many people behind one address. A success clears that name's count.
User names are kept only as dictionary keys in this process's memory, never logged.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 10_000  # bounded memory under a flood of distinct names


class LoginLimiter:
    """Sliding-window failure counts; ``retry_after`` says how long a blocked client must wait."""

    def __init__(self, per_name: int = 5, per_address: int = 50, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_name, self.per_address, self.window_s, self._clock = per_name, per_address, window_s, clock
        self._failures: dict[tuple[str, str | None], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _name_key(name: str) -> str:
        return name.strip().casefold()

    def retry_after(self, address: str, name: str) -> int | None:
        """Seconds until ``address`` may try ``name`` again, or None when it may try now."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(self._failures.get((address, self._name_key(name))), self.per_name, now),
                     self._wait(self._failures.get((address, None)), self.per_address, now)]
        blocked = [w for w in waits if w is not None]
        return max(1, int(max(blocked)) + 1) if blocked else None

    def failed(self, address: str, name: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._prune(now)
            for key in ((address, self._name_key(name)), (address, None)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            self._failures.pop((address, self._name_key(name)), None)

    def _wait(self, times: deque[float] | None, limit: int, now: float) -> float | None:
        if not times:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) < limit:
            return None
        return times[-limit] + self.window_s - now

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window_s]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:  # still full: forget the oldest-inserted keys
            del self._failures[next(iter(self._failures))]
