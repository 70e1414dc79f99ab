"""Decode untrusted audio in a child process, so that a crash of the native decoder costs one request.

Why: PyAV/FFmpeg are C code fed with bytes from outside. A segfault there (review #1: PyAV 18.1 on 8+
channels) used to take down the API process, its embedded workers and the retention sweeper. Here each
decode runs in a warm child process with an address-space cap (RLIMIT_AS), a CPU-time cap (RLIMIT_CPU) and a
wall-clock timeout. A child that dies, runs out of memory or time is killed and replaced, and the caller gets
``InvalidAudio("audio decoder failed")``; other decodes running at the same time in other children are not
affected (a ``ProcessPoolExecutor`` would fail every pending task on one crash, hence one pipe per child).

Children are plain ``python -m models.audio_sandbox`` processes talking over a socket pair, not
``multiprocessing`` children: those re-import the parent's main module in every child (``service.cli``, 1.3 s of
imports, which made each new child cost more than the decodes it served), may not be started from Celery's
daemonic prefork workers, and share a forkserver that a fork inherits but cannot use. A child imports only
PyAV, numpy and this module. At most ``MAX_CHILDREN`` run, all kept warm and reused: a burst of uploads waits a
few milliseconds for a free child instead of starting (and killing) one each. Samples come back through the
socket straight into one numpy array (no pickling, no second copy).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing.connection
import os
import resource
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.audio import (
    BYTES_PER_SAMPLE,
    SAFE_DECODE_CHANNELS,
    SAMPLE_RATE,
    AudioSource,
    AudioTooLong,
    DecodedAudio,
    InvalidAudio,
    _read_source,
    decode,
)

log = logging.getLogger(__name__)
DECODER_FAILED = "audio decoder failed"
BASE_ADDRESS_SPACE = 768 * 1024 * 1024  # the interpreter, numpy, PyAV/FFmpeg and their threads (~250 MB mapped)
UNBOUNDED_SECONDS = 4 * 3600.0  # the memory cap's duration when the caller sets no max_duration
CPU_SECONDS = 120  # a 2 h stereo FLAC decodes in well under a minute of CPU
WALL_SECONDS = 180.0
MAX_CHILDREN = max(2, min(4, os.cpu_count() or 2))  # decoding is CPU-bound: more children than cores buy nothing
REQUESTS_PER_CHILD = 100  # then it is replaced (allocator fragmentation, any slow leak in native code)


@dataclass(frozen=True)
class _Facts:
    """What the child sends before the samples (small, pickled)."""

    shape: tuple[int, int]
    duration: float
    sha256: str
    source_format: str
    source_codec: str
    source_sample_rate: int


def memory_limit(data_len: int, max_channels: int, max_duration: float | None) -> int:
    """RLIMIT_AS for one decode: the base, the input (held about twice) and the largest allowed output."""
    seconds = UNBOUNDED_SECONDS if max_duration is None else max_duration
    decoded = max_channels * int((seconds + 2) * SAMPLE_RATE) * BYTES_PER_SAMPLE
    return BASE_ADDRESS_SPACE + 3 * data_len + decoded * 3 // 2


def _child_main(conn: multiprocessing.connection.Connection) -> None:
    """Serve decode requests on ``conn`` until it closes. Runs in the child."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write the audio into a core file
    while True:
        try:
            request = conn.recv()
            data = conn.recv_bytes()
            _answer(conn, request, data)
        except (EOFError, OSError):  # closed, or the parent was killed while sending a request or reading
            return  # the answer (a worker SIGKILLed mid-decode): nobody is left to tell


def _answer(conn: multiprocessing.connection.Connection, request: Any, data: bytes) -> None:
    """Decode one request's ``data`` under its limits and send the answer (or the error's type) back."""
    kwargs, as_limit, want_samples = request
    used = resource.getrusage(resource.RUSAGE_SELF)
    resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + CPU_SECONDS,
                                             resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_AS, (as_limit, resource.RLIM_INFINITY))
    try:
        audio = decode(data, **kwargs)
    except InvalidAudio as exc:
        conn.send(("invalid", exc.reason))
        return
    except AudioTooLong as exc:
        conn.send(("too_long", (exc.duration, exc.limit)))
        return
    except MemoryError:
        conn.send(("failed", "MemoryError"))
        return
    except Exception as exc:  # any decoder error is the input's fault; only its type goes back
        conn.send(("failed", type(exc).__name__))
        return
    finally:
        del data
    length = len(audio.channels[0]) if want_samples else 0
    conn.send(("ok", _Facts(shape=(audio.n_channels, length), duration=audio.duration, sha256=audio.sha256,
                            source_format=audio.source_format, source_codec=audio.source_codec,
                            source_sample_rate=audio.source_sample_rate)))
    for channel in audio.channels if length else ():  # one channel at a time: no stacked copy
        conn.send_bytes(np.ascontiguousarray(channel).data.cast("B"))
    del audio


# Imported by name (not run as __main__), so that what the child pickles names this module.
_CHILD_ENTRY = "import sys; from models.audio_sandbox import _serve; _serve(int(sys.argv[1]))"


class _Child:
    """One warm decoder process and our end of its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD_ENTRY, str(theirs.fileno())], pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        self.uses = 0

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class DecoderSandbox:
    """At most ``max_children`` warm decoder children; ``decode`` is thread-safe (one child per call at a time)."""

    def __init__(self, max_children: int = MAX_CHILDREN, wall_seconds: float = WALL_SECONDS) -> None:
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_children)
        self.max_children = max_children
        self.wall_seconds = wall_seconds
        self.children_killed = 0

    def warm_up(self) -> None:
        """Start the children now, so that the first requests do not wait for them."""
        children = [self._checkout() for _ in range(self.max_children)]
        for child in children:
            self._checkin(child)

    def _checkout(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.is_alive():
                    return child
                child.kill()
        return _Child()

    def _checkin(self, child: _Child) -> None:
        with self._lock:
            if child.uses < REQUESTS_PER_CHILD and len(self._idle) < self.max_children and child.is_alive():
                self._idle.append(child)
                return
        child.kill()

    def _failed(self, child: _Child, why: str) -> InvalidAudio:
        child.kill()
        self.children_killed += 1
        # PII-free: how the child ended (a signal number, an exit code, a timeout or an exception's type)
        log.warning("audio decoder child failed: %s (exit code %s)", why, child.process.returncode)
        return InvalidAudio(DECODER_FAILED)

    def decode(self, source: AudioSource, *, raw_format: str | None = None, raw_sample_rate: int = 8000,
               max_duration: float | None = None, max_channels: int = SAFE_DECODE_CHANNELS,
               samples: bool = True) -> DecodedAudio:
        data = _read_source(source)
        if not data:
            raise InvalidAudio("empty input")
        kwargs = {"raw_format": raw_format, "raw_sample_rate": raw_sample_rate, "max_duration": max_duration,
                  "max_channels": max_channels}
        if not self._slots.acquire(timeout=self.wall_seconds):
            raise InvalidAudio(DECODER_FAILED)  # every child busy for the whole wall time: refuse, do not pile up
        try:
            return self._decode_in_child(data, kwargs, samples)
        finally:
            self._slots.release()

    def _decode_in_child(self, data: bytes, kwargs: dict[str, Any], samples: bool) -> DecodedAudio:
        child = self._checkout()
        child.uses += 1
        try:
            limit = memory_limit(len(data), int(kwargs["max_channels"]), kwargs["max_duration"])
            child.conn.send((kwargs, limit, samples))
            child.conn.send_bytes(data)
            if not child.conn.poll(self.wall_seconds):
                raise self._failed(child, "wall timeout")
            status, payload = child.conn.recv()
            if status == "ok":
                facts: _Facts = payload
                array = np.empty(facts.shape, dtype=np.float32)
                for row in array if array.size else ():
                    if not child.conn.poll(self.wall_seconds):
                        raise self._failed(child, "wall timeout")
                    child.conn.recv_bytes_into(row.data.cast("B"))
        except (EOFError, OSError, ConnectionError):  # the child died (signal, rlimit) mid-request
            raise self._failed(child, "died") from None
        if status == "failed":  # out of memory or an unexpected error: do not reuse that child's heap
            raise self._failed(child, str(payload))
        self._checkin(child)
        if status == "invalid":
            raise InvalidAudio(payload)
        if status == "too_long":
            raise AudioTooLong(*payload)
        return DecodedAudio(channels=tuple(array), duration=facts.duration, sha256=facts.sha256,
                            source_format=facts.source_format, source_codec=facts.source_codec,
                            source_sample_rate=facts.source_sample_rate)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()


_default: DecoderSandbox | None = None
_default_pid = 0
_default_lock = threading.Lock()


def sandbox() -> DecoderSandbox:
    """The process-wide sandbox, created on first use (a forked process, e.g. a Celery worker, gets its own)."""
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            _default, _default_pid = DecoderSandbox(), os.getpid()
        return _default


def decode_isolated(source: AudioSource, *, raw_format: str | None = None, raw_sample_rate: int = 8000,
                    max_duration: float | None = None, max_channels: int = SAFE_DECODE_CHANNELS,
                    samples: bool = True) -> DecodedAudio:
    """``models.audio.decode`` in a sandboxed child process: same arguments, result and errors.

    A child that crashes (a signal), exceeds its memory or CPU cap or the wall timeout becomes
    ``InvalidAudio("audio decoder failed")``. ``samples=False`` skips sending the samples back: the result's
    channels are then empty arrays (one per channel) while ``duration``, ``sha256`` and the source facts are
    those of the full decode — for callers that only validate (the webhook), not to transcribe.
    """
    return sandbox().decode(source, raw_format=raw_format, raw_sample_rate=raw_sample_rate,
                            max_duration=max_duration, max_channels=max_channels, samples=samples)


def _serve(fd: int) -> None:
    """The child's entry point: serve decode requests on the inherited socket ``fd`` until it closes."""
    _child_main(multiprocessing.connection.Connection(fd))
