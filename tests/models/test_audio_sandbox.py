"""The decoder sandbox (review #1) and the decoded-size bound (review #10), with real files and real children.

A native crash (PyAV 18.1 segfaults on 8+ channels) must cost one decode, never the calling process; the
channel cap must refuse from the header, before any resampler or buffer exists; and a decode must hold its
samples once, not once per chunk plus once concatenated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from models.audio import AudioTooLong, InvalidAudio, decode
from models.audio_sandbox import DECODER_FAILED, DecoderSandbox, decode_isolated
from tests.hostile_audio import silent_flac
from tests.hostile_audio import silent_wav as pcm_wav

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def box() -> Iterator[DecoderSandbox]:
    sandbox = DecoderSandbox()
    yield sandbox
    sandbox.close()


def test_isolated_decode_equals_in_process_decode(box: DecoderSandbox) -> None:
    for name in ("clean.wav", "clean.flac", "call_stereo.wav", "clean.mp3"):
        data = (DATA / name).read_bytes()
        here, there = decode(data), box.decode(data)
        assert (there.sha256, there.duration, there.source_format, there.source_codec, there.n_channels) == \
               (here.sha256, here.duration, here.source_format, here.source_codec, here.n_channels), name
        assert all(np.array_equal(a, b) for a, b in zip(here.channels, there.channels, strict=True)), name


def test_samples_false_keeps_the_facts_and_skips_the_samples(box: DecoderSandbox) -> None:
    data = (DATA / "call_stereo.wav").read_bytes()
    full, facts = decode(data), box.decode(data, samples=False)
    assert (facts.sha256, facts.duration, facts.n_channels) == (full.sha256, full.duration, 2)
    assert all(len(ch) == 0 for ch in facts.channels)


def test_a_segfaulting_decoder_costs_one_decode(box: DecoderSandbox) -> None:
    """The 8-channel WAV really crashes PyAV (cap raised to let it through): the caller gets InvalidAudio,
    lives, and the next decode gets a fresh child."""
    killed = box.children_killed
    with pytest.raises(InvalidAudio) as err:
        box.decode(pcm_wav(8), max_channels=8)
    assert err.value.reason == DECODER_FAILED
    assert box.children_killed == killed + 1
    assert box.decode((DATA / "clean.wav").read_bytes()).duration > 1


def test_errors_keep_their_type_across_the_process_boundary(box: DecoderSandbox) -> None:
    with pytest.raises(InvalidAudio, match="not a recognised audio format"):
        box.decode(b"hello, this is not audio" * 50)
    with pytest.raises(AudioTooLong):
        box.decode((DATA / "phone.wav").read_bytes(), max_duration=2)
    with pytest.raises(InvalidAudio, match="more than 2 audio channels"):
        box.decode(pcm_wav(3), max_channels=2)


def test_wall_timeout_kills_the_child() -> None:
    slow = DecoderSandbox(wall_seconds=0.001)
    try:
        with pytest.raises(InvalidAudio, match=DECODER_FAILED):
            slow.decode((DATA / "call_stereo.wav").read_bytes())
        assert slow.children_killed == 1
    finally:
        slow.close()


def _decode_in_pool_worker(path: str) -> float:
    return decode_isolated(Path(path).read_bytes()).duration


@pytest.mark.parametrize("pool", ["multiprocessing", "billiard"])
def test_a_daemonic_pool_worker_can_use_the_sandbox(pool: str) -> None:
    """Celery's prefork pool runs jobs in daemonic processes (billiard's), which multiprocessing forbids to
    start children: every job failed at decoding (AssertionError, then a billiard pickling refusal)."""
    lib = __import__(pool)
    with lib.get_context("spawn" if pool == "multiprocessing" else "fork").Pool(1) as workers:
        duration = workers.apply(_decode_in_pool_worker, (str(DATA / "clean.wav"),))
    assert duration == pytest.approx(decode((DATA / "clean.wav").read_bytes()).duration)


def test_module_level_decode_isolated_refuses_the_review_files() -> None:
    for data in (pcm_wav(8), pcm_wav(12), silent_flac("7.1", 8, 1.0)):
        with pytest.raises(InvalidAudio, match="more than 2 audio channels"):
            decode_isolated(data, max_channels=2)


def test_channel_cap_refuses_from_the_header_before_any_resampler(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 7-channel, 30-minute FLAC (small, silent) is refused before a resampler or a sample buffer exists."""
    data = silent_flac("6.1", 7, 1800)
    assert len(data) < 2_000_000

    def no_resampler(*_a: object, **_k: object) -> None:
        raise AssertionError("a resampler was built for a recording the header already refuses")

    monkeypatch.setattr(av, "AudioResampler", no_resampler)
    with pytest.raises(InvalidAudio, match="more than 2 audio channels"):
        decode(data, max_channels=2)


PEAK = """
import json, resource, sys
from models.audio import decode
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
audio = decode(data)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew_kib": after - before, "decoded_bytes": sum(ch.nbytes for ch in audio.channels)}))
"""


def test_decoded_samples_are_held_once_not_twice(tmp_path: Path) -> None:
    """Peak RSS of decoding a 2-channel 5-minute FLAC grows by about the decoded size, not twice it."""
    path = tmp_path / "long.flac"
    path.write_bytes(silent_flac("stereo", 2, 300))
    done = subprocess.run([sys.executable, "-c", PEAK, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    out = json.loads(done.stdout)
    decoded = out["decoded_bytes"]
    assert decoded == 2 * 300 * 16000 * 4
    assert out["grew_kib"] * 1024 < 1.4 * decoded, out
