"""Decoding every container we accept, stereo timing, raw G.711, refusals, and encoding redacted output."""

from __future__ import annotations

import hashlib
import io
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.audio import AudioTooLong, InvalidAudio, decode, encode_opus, encode_wav, wav_is_truncated

DATA = Path(__file__).parents[1] / "data"
REF = decode(DATA / "clean.wav").channels[0]


def envelope(x: np.ndarray, hop: int = 320) -> np.ndarray:
    n = len(x) // hop
    return np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


def envelope_similarity(a: np.ndarray, b: np.ndarray, max_lag: int = 5) -> float:
    """Best correlation of 20 ms loudness envelopes within ±100 ms: codecs add priming delay (AAC)."""
    ea, eb = envelope(a), envelope(b)
    n = min(len(ea), len(eb)) - max_lag
    return max(float(np.corrcoef(ea[max_lag:n], eb[max_lag + lag:n + lag])[0, 1])
               for lag in range(-max_lag, max_lag + 1))


def of_kind(meta: dict[str, Any], kind: str) -> list[str]:
    return [name for name, v in meta.items() if isinstance(v, dict) and v.get("kind") == kind]


META = __import__("json").loads((DATA / "fixtures.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["clean.wav", *of_kind(META, "format")])
def test_each_format_decodes_to_the_same_speech(name: str) -> None:
    expected = META[name] if name != "clean.wav" else {**META[name], "source_sample_rate": 16000}
    audio = decode(DATA / name)
    assert audio.n_channels == 1 and audio.sample_rate == 16000
    assert audio.channels[0].dtype == np.float32 and np.abs(audio.channels[0]).max() <= 1.0
    assert audio.duration == pytest.approx(expected["duration"], abs=0.1)
    assert audio.source_sample_rate == expected["source_sample_rate"]
    assert envelope_similarity(REF, audio.channels[0]) > 0.95


def test_sha256_is_of_the_input_bytes_whatever_the_source_type() -> None:
    raw = (DATA / "clean.mp3").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    from_path, from_str = decode(DATA / "clean.mp3"), decode(str(DATA / "clean.mp3"))
    from_bytes, from_file = decode(raw), decode(io.BytesIO(raw))
    assert {from_path.sha256, from_str.sha256, from_bytes.sha256, from_file.sha256} == {digest}
    assert np.array_equal(from_path.channels[0], from_file.channels[0])
    assert (from_path.source_format, from_path.source_codec) == ("mp3", "mp3float")


def test_g711_wav_reports_its_codec() -> None:
    assert decode(DATA / "clean_mulaw8k.wav").source_codec == "pcm_mulaw"
    assert decode(DATA / "clean_alaw8k.wav").source_codec == "pcm_alaw"


def test_raw_headerless_mulaw_needs_and_honours_raw_format() -> None:
    raw = (DATA / "clean_8k.ul").read_bytes()
    audio = decode(raw, raw_format="mulaw")
    assert audio.source_sample_rate == 8000 and audio.source_codec == "pcm_mulaw"
    assert audio.duration == pytest.approx(META["clean_8k.ul"]["duration"], abs=0.01)
    assert envelope_similarity(REF, audio.channels[0]) > 0.99
    with pytest.raises(InvalidAudio):
        decode(raw)  # no header: nothing says it is audio
    with pytest.raises(ValueError, match="raw_format"):
        decode(raw, raw_format="gsm")


def test_stereo_call_keeps_both_channels_on_the_call_timeline() -> None:
    meta = META["call_stereo.wav"]
    audio = decode(DATA / "call_stereo.wav")
    assert audio.n_channels == 2 and len(audio.channels[0]) == len(audio.channels[1])
    assert audio.duration == pytest.approx(meta["duration"], abs=0.01)
    for turn in meta["turns"]:
        i, j = int(turn["start"] * 16000), int(turn["end"] * 16000)
        speaking, other = audio.channels[turn["channel"]], audio.channels[1 - turn["channel"]]
        assert np.abs(other[i:j]).max() == 0.0, "the listening channel is silent"
        voiced = np.nonzero(np.abs(speaking[i - 800:j + 800]) > 0.01)[0]
        # the voice starts and ends within 50 ms of where the script placed the turn
        assert abs((voiced[0] - 800) / 16000) < 0.05 and abs((voiced[-1] - 800 - (j - i)) / 16000) < 0.05


@pytest.mark.parametrize("name", of_kind(META, "bad"))
def test_bad_inputs_raise_invalid_audio_without_quoting_them(name: str, tmp_path: Path) -> None:
    # give the file a name that is an identifier: it must not leak into the message
    victim = tmp_path / "131052-308T Matti Virtanen.wav"
    victim.write_bytes((DATA / name).read_bytes())
    with pytest.raises(InvalidAudio) as err:
        decode(victim)
    message = str(err.value)
    assert message.startswith("invalid audio: ") and err.value.reason
    assert "131052" not in message and "Virtanen" not in message and str(tmp_path) not in message
    assert "Tämä" not in message  # nor the content


def test_truncation_is_told_apart_from_a_short_file() -> None:
    data = (DATA / "clean.wav").read_bytes()
    assert not wav_is_truncated(data)
    assert wav_is_truncated(data[: len(data) // 2])
    assert not wav_is_truncated(data[:-2000]), "a few missing bytes are tolerated"
    streaming = data[:40] + b"\xff\xff\xff\xff" + data[44: len(data) // 2]  # size unknown while recording
    assert not wav_is_truncated(streaming)
    assert decode(streaming).duration == pytest.approx(META["clean.wav"]["duration"] / 2, abs=0.01)


def test_too_long_is_refused_from_the_header_before_decoding() -> None:
    with pytest.raises(AudioTooLong) as err:
        decode(DATA / "call_stereo.wav", max_duration=10)
    # the full duration is known: it came from the header, not from decoding up to the limit
    assert err.value.duration == pytest.approx(META["call_stereo.wav"]["duration"], abs=0.01)
    assert err.value.limit == 10 and "limit" in str(err.value)
    assert decode(DATA / "clean.wav", max_duration=10).duration < 10


@pytest.mark.parametrize("name", ["clean.flac", "clean.opus"])
def test_too_long_is_caught_while_decoding_when_the_header_understates(name: str) -> None:
    # three concatenated streams: the first header (FLAC STREAMINFO, Ogg granule) says 6 s, 18 s decode
    raw = (DATA / name).read_bytes() * 3
    with pytest.raises(AudioTooLong) as err:
        decode(raw, max_duration=12.0)
    assert 12.0 < err.value.duration < 12.5
    assert decode(raw).duration == pytest.approx(3 * META[name]["duration"], abs=0.1)


def test_a_few_damaged_packets_are_skipped_but_garbage_is_refused() -> None:
    mp3 = (DATA / "clean.mp3").read_bytes()
    assert decode(mp3 * 2).duration == pytest.approx(2 * META["clean.mp3"]["duration"], abs=0.2)
    rng = np.random.default_rng(1)
    noisy = bytearray(mp3)
    for at in rng.integers(2000, len(mp3), 400):
        noisy[at] ^= 0xFF
    with pytest.raises(InvalidAudio):
        decode(bytes(noisy))


def test_wav_round_trip_keeps_channel_order_and_samples() -> None:
    rng = np.random.default_rng(0)
    left, right = rng.uniform(-0.5, 0.5, 16000).astype(np.float32), np.zeros(16000, dtype=np.float32)
    for samples in ((left, right), np.stack([left, right])):
        wav = encode_wav(samples)
        with wave.open(io.BytesIO(wav)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 16000)
        back = decode(wav)
        assert np.abs(back.channels[0] - left).max() <= 1 / 32767
        assert np.abs(back.channels[1]).max() == 0.0
    mono = decode(encode_wav(left))
    assert mono.n_channels == 1 and np.abs(mono.channels[0] - left).max() <= 1 / 32767


def test_wav_encoder_refuses_samples_by_channels_layout() -> None:
    with pytest.raises(ValueError, match="channels"):
        encode_wav(np.zeros((16000, 2), dtype=np.float32))


def test_opus_output_is_small_and_decodes_to_the_same_speech() -> None:
    call = decode(DATA / "call_stereo.wav")
    opus = encode_opus(call.channels)
    assert len(opus) < len((DATA / "call_stereo.wav").read_bytes()) / 10
    back = decode(opus)
    assert back.n_channels == 2 and back.duration == pytest.approx(call.duration, abs=0.03)
    assert envelope_similarity(call.channels[1], back.channels[1]) > 0.95
