"""The listening copy of a call: its redacted WAV as Ogg/Opus, for the player (the WAV stays the download).

An 8-minute stereo WAV is ~33 MB and the page used to fetch all of it on every view; as Opus at 24 kbit/s
(mono) or 32 kbit/s (stereo) it is ~1.5 MB and the browser fetches it by ranges.

The copy is derived, never stored: a bounded in-memory cache keyed by the sha256 of the redacted WAV it was
encoded from (``Artefact.sha256``, which a reviewer's report updates when it rewrites the audio). So:

- it is never staler than the WAV: a rewritten WAV has a new digest, and a call's older copies are dropped
  the moment a newer one is made;
- it never outlives the WAV: the reader looks the artefact up first (deleted or erased → no digest → nothing
  served) and entries expire after ``ttl_s`` anyway, so retention and erasure need no extra step;
- memory is bounded by ``max_bytes`` (least recently used first out).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.audio import encode_opus
from service.calls.review import read_pcm16_wav
from service.store.kinds import ArtefactKind
from service.store.repo_artefacts import live_artefact

MEDIA_TYPE = "audio/ogg"  # Ogg/Opus; browsers also accept "audio/ogg; codecs=opus"
MONO_BITRATE = 24_000
STEREO_BITRATE = 32_000


@dataclass(frozen=True)
class RedactedAudioRef:
    """Where a call's redacted WAV is and which content it has now."""

    call_id: uuid.UUID
    blob_key: str
    sha256: str


def redacted_audio_ref(session: Session, call_id: uuid.UUID) -> RedactedAudioRef | None:
    """The live (not deleted) redacted audio artefact of the call, or ``None``."""
    art = live_artefact(session, call_id, ArtefactKind.REDACTED_AUDIO)
    if art is None or not art.blob_key or not art.sha256:
        return None
    return RedactedAudioRef(call_id=call_id, blob_key=art.blob_key, sha256=art.sha256)


def opus_of_wav(wav: bytes) -> bytes:
    """Ogg/Opus of a 16-bit PCM WAV, one Opus channel per WAV channel (1 or 2); same duration."""
    samples, sr = read_pcm16_wav(wav)
    bitrate = MONO_BITRATE if samples.shape[0] == 1 else STEREO_BITRATE
    return encode_opus(samples, sr, bitrate=bitrate)


@dataclass
class _Entry:
    call_id: uuid.UUID
    data: bytes
    made: float


class ListeningCopies:
    """Bounded LRU of Opus copies keyed by the WAV's sha256 (see the module docstring)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, ttl_s: float = 900.0) -> None:
        self.max_bytes = max_bytes
        self.ttl_s = ttl_s
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._encoding = threading.Lock()  # one encode at a time: they are CPU-bound

    def get(self, ref: RedactedAudioRef, read_wav: Callable[[], bytes]) -> bytes:
        """The copy of the WAV ``ref`` names, encoded from ``read_wav()`` when not cached."""
        hit = self._lookup(ref.sha256)
        if hit is not None:
            return hit
        with self._encoding:
            hit = self._lookup(ref.sha256)  # another request may have made it meanwhile
            if hit is not None:
                return hit
            data = opus_of_wav(read_wav())
            self._store(ref, data)
            return data

    def _lookup(self, sha256: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(sha256)
            if entry is None:
                return None
            if time.monotonic() - entry.made > self.ttl_s:
                del self._entries[sha256]
                return None
            self._entries.move_to_end(sha256)
            return entry.data

    def _store(self, ref: RedactedAudioRef, data: bytes) -> None:
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.call_id == ref.call_id]:
                del self._entries[key]  # the call's older copies: their WAV was rewritten
            if len(data) > self.max_bytes:
                return
            self._entries[ref.sha256] = _Entry(ref.call_id, data, time.monotonic())
            while sum(len(e.data) for e in self._entries.values()) > self.max_bytes:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every copy (tests; an operator may call it after a bulk erasure, though TTL would do)."""
        with self._lock:
            self._entries.clear()

    def cached_digests(self) -> list[str]:
        """The WAV digests held now (oldest use first), for tests and diagnostics."""
        with self._lock:
            return list(self._entries)


LISTENING_COPIES = ListeningCopies()
