"""The player's listening copy: byte ranges, the Opus encoder (real PyAV, decoded back), and the route —
ranges, 416, audit, hidden calls, never staler than the WAV a reviewer rewrote, gone with the WAV."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from models.audio import decode, encode_wav
from models.provenance import utcnow
from redaction.audio import redact_samples
from service.api.byte_ranges import ByteRange, RangeNotSatisfiable, parse_range
from service.calls.listening_copy import LISTENING_COPIES, ListeningCopies, RedactedAudioRef, opus_of_wav
from service.calls.review import read_pcm16_wav
from service.privacy.retention import delete_artefact, erase_call
from service.store.models import Artefact, AuditEntry, Call
from tests.ui.clients import app_with_data
from tests.ui.seeding import DATA, MISSED

ADDRESS_TURN = 9  # "Koivukuja kolme, ..." left unredacted by the seeding


@pytest.mark.parametrize(("header", "size", "expected"), [
    (None, 100, None),
    ("bytes=0-", 100, ByteRange(0, 99)),
    ("bytes=0-0", 100, ByteRange(0, 0)),
    ("bytes=10-19", 100, ByteRange(10, 19)),
    ("bytes=90-500", 100, ByteRange(90, 99)),  # the last byte is clipped to the body
    ("bytes=-10", 100, ByteRange(90, 99)),  # suffix
    ("bytes=-500", 100, ByteRange(0, 99)),
    ("BYTES = 5 - 6", 100, ByteRange(5, 6)),
    ("bytes=0-1,5-6", 100, None),  # several ranges: the whole body
    ("items=0-5", 100, None),  # another unit: ignored
])
def test_parse_range(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=20-10", "bytes=-0", "bytes=abc",
                                    "bytes=-", "bytes=5"])
def test_unsatisfiable_or_malformed_range(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


def tone_fraction(samples: np.ndarray, sr: int, start: float, end: float, hz: float = 1000.0) -> float:
    """Share of the energy within ±60 Hz of ``hz`` between ``start`` and ``end`` seconds (all channels)."""
    x = samples[..., int(start * sr):int(end * sr)]
    power = np.abs(np.fft.rfft(x, axis=-1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[-1], 1 / sr)
    return float(power[..., np.abs(freqs - hz) < 60].sum() / power.sum())


def test_opus_keeps_duration_channels_and_the_tone() -> None:
    samples, sr = read_pcm16_wav((DATA / "call_stereo.wav").read_bytes())
    wav = encode_wav(redact_samples(samples, sr, [(10.0, 12.0)]), sr)
    opus = opus_of_wav(wav)
    assert opus[:4] == b"OggS" and b"OpusHead" in opus[:200]
    assert len(opus) * 10 < len(wav), "at least ten times smaller than the WAV"
    back = decode(opus)
    got = np.stack(back.channels)
    assert back.n_channels == 2
    assert abs(got.shape[-1] / back.sample_rate - samples.shape[-1] / sr) < 0.05
    assert tone_fraction(got, back.sample_rate, 10.2, 11.8) > 0.95, "the redacted range is still tone"
    assert tone_fraction(got, back.sample_rate, 2.0, 9.0) < 0.2, "speech elsewhere is not tone"


def test_mono_is_encoded_mono_at_the_lower_bitrate() -> None:
    samples, sr = read_pcm16_wav((DATA / "name.wav").read_bytes())
    opus = opus_of_wav(encode_wav(samples, sr))
    back = decode(opus)
    assert back.n_channels == 1
    seconds = samples.shape[-1] / sr
    assert len(opus) * 8 / seconds < 40_000, "about 24 kbit/s (and the Ogg overhead)"


def test_cache_is_bounded_and_drops_a_calls_older_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[bytes] = []
    monkeypatch.setattr("service.calls.listening_copy.opus_of_wav", lambda wav: made.append(wav) or wav * 10)
    cache = ListeningCopies(max_bytes=250)
    a, b = uuid.uuid4(), uuid.uuid4()
    assert cache.get(RedactedAudioRef(a, "k", "d1"), lambda: b"x" * 10) == b"x" * 100
    assert cache.get(RedactedAudioRef(a, "k", "d1"), lambda: b"never read") == b"x" * 100
    assert len(made) == 1, "a cached copy is not encoded again"
    cache.get(RedactedAudioRef(a, "k", "d2"), lambda: b"y" * 10)  # the WAV was rewritten
    assert cache.cached_digests() == ["d2"]
    cache.get(RedactedAudioRef(b, "k2", "d3"), lambda: b"z" * 10)
    cache.get(RedactedAudioRef(uuid.uuid4(), "k3", "d4"), lambda: b"w" * 10)
    assert cache.cached_digests() == ["d3", "d4"], "least recently used out, under max_bytes"


def _ogg(client: Any, auth: dict[str, str], range_: str | None = None, call: str = "pbx-2001") -> Any:
    headers = auth | ({"range": range_} if range_ else {})
    return client.get(f"/v1/calls/{call}/audio.ogg", headers=headers)


def _decoded(data: bytes) -> tuple[np.ndarray, int]:
    back = decode(data)
    return np.stack(back.channels), back.sample_rate


def test_route_ranges_audit_and_hidden_calls(isolated_settings: Path, db_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        qa = {"authorization": f"Bearer {tokens['qa-anna']}"}
        whole = _ogg(client, qa)
        assert whole.status_code == 200 and whole.headers["content-type"] == "audio/ogg"
        assert whole.headers["accept-ranges"] == "bytes"
        assert "no-store" in whole.headers["cache-control"]
        size = len(whole.content)
        first = _ogg(client, qa, "bytes=0-1023")
        assert first.status_code == 206 and first.content == whole.content[:1024]
        assert first.headers["content-range"] == f"bytes 0-1023/{size}"
        tail = _ogg(client, qa, f"bytes={size - 10}-")
        assert tail.status_code == 206 and tail.content == whole.content[-10:]
        bad = _ogg(client, qa, f"bytes={size}-")
        assert bad.status_code == 416 and bad.headers["content-range"] == f"bytes */{size}"
        assert client.get("/v1/calls/pbx-2001/audio.ogg").status_code == 401
        assert _ogg(client, qa, call="pbx-1970").status_code == 404, "restricted: hidden from QA"
        officer = {"authorization": f"Bearer {tokens['tsv-pekka']}"}
        assert _ogg(client, officer, call="pbx-1970").status_code == 200
        assert client.get("/v1/calls/pbx-2001/audio", headers=qa).headers["content-type"] == "audio/wav"
        with client.app.state.ctx.db.session() as s:
            reads = [a.detail for a in s.scalars(select(AuditEntry).where(
                AuditEntry.action == "call.audio", AuditEntry.actor == "qa-anna"))]
        assert {"format": "opus", "range": "bytes=0-1023"} in reads
        assert sum(1 for d in reads if d.get("format") == "opus") == 4, "every read audited, the 416 too"


def test_a_report_rewrites_the_listening_copy(isolated_settings: Path, db_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        qa = {"authorization": f"Bearer {tokens['qa-anna']}"}
        before, sr = _decoded(_ogg(client, qa).content)  # now cached under the old WAV's digest
        body = {"turn": ADDRESS_TURN, "start": 0, "end": len(MISSED), "type": "ADDRESS"}
        r = client.post("/ui/calls/pbx-2001/report", json=body, headers=qa)
        assert r.status_code == 200, r.text
        (start, end), = r.json()["audio_ranges"]
        inner = (start + 0.1, end - 0.1)
        assert tone_fraction(before, sr, *inner) < 0.5, "the address was speech before the report"
        after, sr = _decoded(_ogg(client, qa).content)
        assert tone_fraction(after, sr, *inner) > 0.95, "the reported range is tone in the OGG served now"


@pytest.mark.parametrize("how", ["erasure", "retention"])
def test_no_listening_copy_once_the_wav_is_gone(isolated_settings: Path, db_url: str,
                                                monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    with app_with_data(db_url, monkeypatch) as (client, tokens):
        officer = {"authorization": f"Bearer {tokens['tsv-pekka']}"}
        assert _ogg(client, officer).status_code == 200  # cached now
        ctx = client.app.state.ctx
        with ctx.db.session() as s:
            call = s.scalars(select(Call).where(Call.external_id == "pbx-2001")).one()
            if how == "erasure":
                assert erase_call(s, ctx.blobs, call.id, actor="tsv-pekka", role="privacy_officer")
            else:
                art = s.scalars(select(Artefact).where(Artefact.call_id == call.id,
                                                       Artefact.kind == "redacted_audio")).one()
                assert delete_artefact(s, ctx.blobs, art, utcnow(), reason="retention")
        assert _ogg(client, officer).status_code == (404 if how == "erasure" else 410)
        assert _ogg(client, officer, "bytes=0-10").status_code in (404, 410)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The process-wide cache is keyed by WAV digests; seeded calls have the same audio in every test."""
    LISTENING_COPIES.clear()
    yield
    LISTENING_COPIES.clear()
