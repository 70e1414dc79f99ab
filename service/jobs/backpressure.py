"""Back-pressure on the webhook: refuse new recordings (503 + Retry-After) while the queue is too far behind.

Why: a webhook that accepts everything keeps answering 202 while the backlog grows without bound, and the
telephony system learns nothing until the API itself slows down past its timeout. Saying 503 early, while it
is still cheap to say, lets the sender keep the recording and retry later; nothing is stored for it.

The check reads one aggregate over the indexed job table (``queue_status``) at most once per ``ttl_s``, so
under a flood of deliveries it costs a lock and a clock read per request.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from service.store.db import Database
from service.store.repo_jobs import QueueStatus, queue_status

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30
CACHE_TTL_S = 1.0


@dataclass(frozen=True)
class QueueLimits:
    """``max_depth`` jobs waiting, or the oldest waiting ``max_age_s``; 0 turns a limit off."""

    max_depth: int
    max_age_s: float

    @property
    def enabled(self) -> bool:
        return self.max_depth > 0 or self.max_age_s > 0

    def exceeded_by(self, status: QueueStatus) -> str | None:
        """Which limit ``status`` passes (``depth`` or ``age``), or None."""
        if self.max_depth > 0 and status.depth >= self.max_depth:
            return "depth"
        if self.max_age_s > 0 and status.oldest_wait_s >= self.max_age_s:
            return "age"
        return None


class QueueGate:
    """The webhook's view of the queue, refreshed at most every ``ttl_s`` (thread-safe)."""

    def __init__(self, db: Database, limits: QueueLimits, ttl_s: float = CACHE_TTL_S) -> None:
        self.db, self.limits, self.ttl_s = db, limits, ttl_s
        self._lock = threading.Lock()
        self._status: QueueStatus | None = None
        self._read_at = float("-inf")

    def stale(self) -> bool:
        """Whether ``refresh()`` must run (off the event loop: it queries the database) before ``verdict()``."""
        return self.limits.enabled and time.monotonic() - self._read_at >= self.ttl_s

    def refresh(self) -> None:
        with self._lock:
            if time.monotonic() - self._read_at < self.ttl_s:
                return  # another request refreshed it meanwhile
            try:
                with self.db.read_session() as s:
                    self._status = queue_status(s)
            except Exception as exc:  # the ingest's own transaction reports a database fault, with its answer
                log.warning("queue status unreadable (%s); accepting", type(exc).__name__)
                self._status = None
            self._read_at = time.monotonic()

    def verdict(self) -> str | None:
        """The limit the last read queue passes (``depth`` or ``age``), or None to accept."""
        status = self._status
        if not self.limits.enabled or status is None:
            return None
        return self.limits.exceeded_by(status)
