"""Decode untrusted audio in a child process, so that a crash of the native decoder costs one request.

Why: PyAV/FFmpeg are C code fed with bytes from outside. A segfault there (review #1: PyAV 18.1 on 8+
channels) used to take down the API process, its embedded workers and the retention sweeper. Here each
decode runs in a warm child process with an address-space cap (RLIMIT_AS), a CPU-time cap (RLIMIT_CPU) and a
wall-clock timeout. A child that dies, runs out of memory or time is killed and replaced, and the caller gets
``InvalidAudio("audio decoder failed")``; other decodes running at the same time in other children are not
affected (a ``ProcessPoolExecutor`` would fail every pending task on one crash, hence one pipe per child).

Children come from a ``forkserver`` that has already imported PyAV and numpy: a new child starts in tens of
milliseconds, and idle children are reused. Samples come back through the pipe straight into one numpy array
(no pickling, no second copy).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import threading
from collections.abc import Iterator
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
IDLE_CHILDREN = 2  # warm children kept for the next request
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
        except (EOFError, OSError):
            return
        data = conn.recv_bytes()
        kwargs, as_limit, want_samples = request
        used = resource.getrusage(resource.RUSAGE_SELF)
        resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + CPU_SECONDS,
                                                 resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_AS, (as_limit, resource.RLIM_INFINITY))
        try:
            audio = decode(data, **kwargs)
        except InvalidAudio as exc:
            conn.send(("invalid", exc.reason))
            continue
        except AudioTooLong as exc:
            conn.send(("too_long", (exc.duration, exc.limit)))
            continue
        except MemoryError:
            conn.send(("failed", "MemoryError"))
            continue
        except Exception as exc:  # any decoder error is the input's fault; only its type goes back
            conn.send(("failed", type(exc).__name__))
            continue
        finally:
            del data
        length = len(audio.channels[0]) if want_samples else 0
        conn.send(("ok", _Facts(shape=(audio.n_channels, length), duration=audio.duration, sha256=audio.sha256,
                                source_format=audio.source_format, source_codec=audio.source_codec,
                                source_sample_rate=audio.source_sample_rate)))
        for channel in audio.channels if length else ():  # one channel at a time: no stacked copy
            conn.send_bytes(memoryview(np.ascontiguousarray(channel)).cast("B"))
        del audio


@contextlib.contextmanager
def _may_start_children() -> Iterator[None]:
    """Let a daemonic process (a task in Celery's prefork pool, a ``multiprocessing.Pool`` worker) start a child.

    ``multiprocessing`` refuses children there so that none is orphaned when the daemon is killed. Ours cannot
    be: each one serves one pipe and exits when our end closes, and we kill it on every failure and on close.
    Celery's billiard also installs its own process object, whose authkey the standard pickler refuses; the
    child gets the same key as a standard one. Without this, every job in a prefork worker failed at decoding.
    """
    config = multiprocessing.current_process()._config
    saved = {k: config[k] for k in ("daemon", "authkey") if k in config}
    config.pop("daemon", None)
    if "authkey" in saved:
        config["authkey"] = multiprocessing.process.AuthenticationString(bytes(saved["authkey"]))
    try:
        yield
    finally:
        config.pop("daemon", None)
        config.update(saved)


class _Child:
    """One warm decoder process and the parent's end of its pipe."""

    def __init__(self, context: Any) -> None:
        self.conn, child_end = context.Pipe(duplex=True)
        with _may_start_children():  # the process copies its parent's config when made, so make it here too
            self.process = context.Process(target=_child_main, args=(child_end,), daemon=True,
                                           name="puheturva-audio-decoder")
            _own_forkserver()
            self.process.start()
        child_end.close()
        self.uses = 0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class DecoderSandbox:
    """A small set of warm decoder children; ``decode`` is thread-safe (one child per concurrent call)."""

    def __init__(self, idle: int = IDLE_CHILDREN, wall_seconds: float = WALL_SECONDS) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["models.audio_sandbox"])
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self.max_idle = idle
        self.wall_seconds = wall_seconds
        self.children_killed = 0

    def warm_up(self) -> None:
        """Start a child now (it starts the forkserver too), so the first request does not wait for it."""
        child = self._checkout()
        self._checkin(child)

    def _checkout(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.process.is_alive():
                    return child
                child.kill()
        return _Child(self._context)

    def _checkin(self, child: _Child) -> None:
        with self._lock:
            if child.uses < REQUESTS_PER_CHILD and len(self._idle) < self.max_idle and child.process.is_alive():
                self._idle.append(child)
                return
        child.kill()

    def _failed(self, child: _Child, why: str) -> InvalidAudio:
        child.kill()
        self.children_killed += 1
        # PII-free: how the child ended (a signal number, an exit code, a timeout or an exception's type)
        log.warning("audio decoder child failed: %s (exit code %s)", why, child.process.exitcode)
        return InvalidAudio(DECODER_FAILED)

    def decode(self, source: AudioSource, *, raw_format: str | None = None, raw_sample_rate: int = 8000,
               max_duration: float | None = None, max_channels: int = SAFE_DECODE_CHANNELS,
               samples: bool = True) -> DecodedAudio:
        data = _read_source(source)
        if not data:
            raise InvalidAudio("empty input")
        kwargs = {"raw_format": raw_format, "raw_sample_rate": raw_sample_rate, "max_duration": max_duration,
                  "max_channels": max_channels}
        child = self._checkout()
        child.uses += 1
        try:
            child.conn.send((kwargs, memory_limit(len(data), max_channels, max_duration), samples))
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
                    child.conn.recv_bytes_into(memoryview(row).cast("B"))
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


_forkserver_owner = 0  # the pid that started the forkserver this process's handle points at


def _own_forkserver() -> None:
    """Before starting a child: make sure the forkserver handle is this process's own, not one a fork copied."""
    global _forkserver_owner
    if _forkserver_owner not in (0, os.getpid()):
        _forget_inherited_forkserver()
    _forkserver_owner = os.getpid()


def _forget_inherited_forkserver() -> None:
    """Drop the parent's forkserver handle that a fork copied into this process.

    ``multiprocessing`` keeps one forkserver per process in a module global; a forked child (a Celery prefork
    worker forked after the parent decoded something) inherits the handle but may not wait on the parent's
    server ("No child processes"), so it must start its own. Python 3.11 has no public way to say so.
    """
    from multiprocessing import forkserver

    server = forkserver._forkserver
    if server._forkserver_alive_fd is not None:
        with contextlib.suppress(OSError):
            os.close(server._forkserver_alive_fd)  # our copy would keep the parent's server alive
    server._forkserver_alive_fd = server._forkserver_address = server._forkserver_pid = None


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
