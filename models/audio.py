"""Decode any call recording into float32 channels at 16 kHz, and encode redacted audio back.

Why not just ``faster_whisper.decode_audio``: we must (1) keep every channel (agent and customer are on
separate channels of a stereo call, and timestamps must stay on the call's timeline), (2) hash exactly the
bytes we were given for provenance, (3) refuse bad uploads with a typed, PII-free error rather than
FFmpeg's messages (which quote file names), and (4) refuse over-long recordings before decoding them.

Input never reaches FFmpeg as a path or URL: bytes are handed over through a file object, and only an
allow-list of audio demuxers may open them, so a crafted playlist cannot make FFmpeg read other files.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from models.provenance import sha256_bytes

SAMPLE_RATE = 16000
ALLOWED_DEMUXERS = "wav,w64,rf64,flac,mp3,ogg,mov,matroska,aac,aiff,caf,amr,au,mulaw,alaw"
RAW_FORMATS = ("mulaw", "alaw")
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
MAX_CHANNELS = 16
# PyAV 18.1 segfaults converting a frame of 8 or more channels to an array (review #1): no caller may ask for more.
SAFE_DECODE_CHANNELS = 7
TRUNCATION_SLACK_S = 1.0  # decoders may drop a partial last frame or priming samples
BYTES_PER_SAMPLE = 4  # float32

AudioSource = str | Path | bytes | bytearray | memoryview | BinaryIO
Channels = np.ndarray | Sequence[np.ndarray]


class InvalidAudio(ValueError):
    """The input is not usable audio. ``reason`` is a fixed phrase: it never quotes the input or its name."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid audio: {reason}")
        self.reason = reason


class AudioTooLong(ValueError):
    """The recording is longer than the configured limit (seconds)."""

    def __init__(self, duration: float, limit: float) -> None:
        super().__init__(f"audio is {duration:.1f} s long, the limit is {limit:.1f} s")
        self.duration = duration
        self.limit = limit


@dataclass(frozen=True)
class DecodedAudio:
    """Decoded channels (float32 in [-1, 1] at ``sample_rate``) and facts about the source bytes."""

    channels: tuple[np.ndarray, ...]
    duration: float
    sha256: str
    source_format: str
    source_codec: str
    source_sample_rate: int
    sample_rate: int = SAMPLE_RATE

    @property
    def n_channels(self) -> int:
        return len(self.channels)


def _read_source(source: AudioSource) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def wav_is_truncated(data: bytes) -> bool:
    """True when a RIFF/WAVE header promises clearly more sample bytes than follow it.

    FFmpeg silently decodes what is there, so a half-uploaded call would pass as a short one. Streaming
    writers that leave the size 0 or 0xFFFFFFFF ("unknown") are not called truncated.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return False
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if chunk_id == b"data":
            available = len(data) - pos - 8
            missing = size - available
            return size not in (0, 0xFFFFFFFF) and missing > max(4096, size // 100)
        pos += 8 + size + (size & 1)
    return False


def _open(data: bytes, raw_format: str | None, raw_sample_rate: int) -> av.container.InputContainer:
    options = {"format_whitelist": ALLOWED_DEMUXERS}
    if raw_format is not None:
        if raw_format not in RAW_FORMATS:
            raise ValueError(f"raw_format must be one of {RAW_FORMATS}")
        options |= {"sample_rate": str(raw_sample_rate), "ch_layout": "mono"}
    try:
        return av.open(io.BytesIO(data), "r", format=raw_format, options=options, metadata_errors="ignore")
    except (av.FFmpegError, ValueError, OSError):
        raise InvalidAudio("not a recognised audio format") from None


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    """The duration the container header states: known before decoding a single sample."""
    if container.duration is not None:
        return container.duration / 1_000_000
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


class _SampleBuffer:
    """Planar float32 samples filled chunk by chunk into one preallocated array.

    Why: collecting chunks and concatenating them held every sample twice (review #10). Capacity starts at
    the declared length and grows by half at a time, never past ``limit`` samples per channel.
    """

    def __init__(self, channels: int, expected: int, limit: int | None) -> None:
        self.limit = limit
        capacity = max(expected, SAMPLE_RATE) if limit is None else min(max(expected, SAMPLE_RATE), limit)
        self.data = np.empty((channels, capacity), dtype=np.float32)
        self.size = 0

    def append(self, chunk: np.ndarray) -> None:
        end = self.size + chunk.shape[1]
        if end > self.data.shape[1]:
            if self.limit is not None and end > self.limit:
                raise AudioTooLong(end / SAMPLE_RATE, self.limit / SAMPLE_RATE)
            capacity = max(end, self.data.shape[1] * 3 // 2)
            grown = np.empty((self.data.shape[0], capacity if self.limit is None else min(capacity, self.limit)),
                             dtype=np.float32)
            grown[:, :self.size] = self.data[:, :self.size]
            self.data = grown
        self.data[:, self.size:end] = chunk
        self.size = end

    def samples(self) -> np.ndarray:
        return self.data[:, :self.size]


def stream_channels(stream: av.AudioStream) -> int:
    """The channel count a stream declares, from its layout or its codec (whichever says more)."""
    return max(stream.layout.nb_channels, stream.codec_context.channels or 0, stream.channels or 0)


def _decode_stream(container: av.container.InputContainer, stream: av.AudioStream,
                   max_duration: float | None, declared: float | None) -> np.ndarray:
    """All frames of ``stream`` resampled to planar float32 at 16 kHz, shape (channels, samples).

    A few undecodable packets are skipped, as FFmpeg's own tools do (an ID3 tag between concatenated
    MP3s, a damaged frame in a long recording); more than 1% of them means the input is corrupt.
    """
    # A stream without a channel layout gets a default one for its channel count ("2c" -> stereo);
    # AudioLayout takes a name, not an int (an int raised TypeError here).
    layout = stream.layout if stream.layout.nb_channels else av.AudioLayout(f"{stream.channels}c")
    channels = layout.nb_channels
    limit = None if max_duration is None else int(max_duration * SAMPLE_RATE) + SAMPLE_RATE
    buffer = _SampleBuffer(channels, int((declared or 0) * SAMPLE_RATE * 1.02) + SAMPLE_RATE, limit)
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    packets, bad = 0, 0
    try:
        for packet in container.demux(stream):
            packets += 1
            try:
                frames = stream.decode(packet)
            except av.InvalidDataError:
                bad += 1
                continue
            for frame in frames:
                if frame.layout.nb_channels > channels:  # a chained stream must not widen past the checked count
                    raise InvalidAudio("the channel count changes inside the recording")
                for out in resampler.resample(frame):
                    buffer.append(out.to_ndarray())
            if max_duration is not None and buffer.size / SAMPLE_RATE > max_duration:
                raise AudioTooLong(buffer.size / SAMPLE_RATE, max_duration)
        for out in resampler.resample(None):
            buffer.append(out.to_ndarray())
    except av.FFmpegError:
        raise InvalidAudio("corrupt audio data") from None
    if bad > max(2, packets // 100):
        raise InvalidAudio("corrupt audio data")
    return buffer.samples()


def decode(source: AudioSource, *, raw_format: str | None = None, raw_sample_rate: int = 8000,
           max_duration: float | None = None, max_channels: int = SAFE_DECODE_CHANNELS) -> DecodedAudio:
    """Decode wav/flac/mp3/ogg/opus/m4a/μ-law/a-law (or raw headerless G.711 with ``raw_format``).

    Raises ``InvalidAudio`` for empty, non-audio, truncated, corrupt or zero-length input and for more than
    ``max_channels`` channels (read from the header, before anything is resampled), and ``AudioTooLong``
    when longer than ``max_duration`` seconds — from the header when it states a duration, else as soon as
    decoding passes the limit. Decoded samples are bounded by channels x ``max_duration`` x 16 kHz.

    This runs the decoder in the calling process: for bytes from outside use
    ``models.audio_sandbox.decode_isolated``, where a crash of the native decoder costs one request.
    """
    if not 1 <= max_channels <= MAX_CHANNELS:
        raise ValueError(f"max_channels must be 1..{MAX_CHANNELS}")
    data = _read_source(source)
    if not data:
        raise InvalidAudio("empty input")
    if wav_is_truncated(data):
        raise InvalidAudio("truncated WAV: fewer samples than the header declares")
    with _open(data, raw_format, raw_sample_rate) as container:
        if not container.streams.audio:
            raise InvalidAudio("no audio stream")
        stream = container.streams.audio[0]
        if stream_channels(stream) > max_channels:
            raise InvalidAudio(f"more than {max_channels} audio channels")
        declared = _declared_duration(container, stream)
        if max_duration is not None and declared is not None and declared > max_duration:
            raise AudioTooLong(declared, max_duration)
        samples = _decode_stream(container, stream, max_duration, declared)
        source_format = container.format.name.split(",")[0]
        codec, source_rate = stream.codec_context.name, stream.rate
    if samples.shape[1] == 0:
        raise InvalidAudio("no audio samples")
    if declared is not None and declared - samples.shape[1] / SAMPLE_RATE > max(TRUNCATION_SLACK_S, declared / 20):
        # An MP3's Xing header or an M4A's moov atom states the length: far fewer samples is a cut upload.
        raise InvalidAudio("truncated audio: fewer samples than the header declares")
    return DecodedAudio(
        channels=tuple(np.ascontiguousarray(ch) for ch in samples), duration=samples.shape[1] / SAMPLE_RATE,
        sha256=sha256_bytes(data), source_format=source_format, source_codec=codec,
        source_sample_rate=source_rate,
    )


def _as_planar(samples: Channels) -> np.ndarray:
    """(channels, n) float32 from a 1-D array, a 2-D (channels, n) array or a sequence of channels."""
    if isinstance(samples, np.ndarray):
        arr = samples[None, :] if samples.ndim == 1 else samples
    else:
        if len({len(ch) for ch in samples}) > 1:
            raise ValueError("all channels must have the same length")
        arr = np.stack([np.asarray(ch) for ch in samples])
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError("expected samples shaped (n,) or (channels, n)")
    if arr.shape[0] > MAX_CHANNELS:  # almost surely (n, channels): refuse rather than write noise
        raise ValueError(f"got {arr.shape[0]} channels: pass (channels, n) or a list of channels")
    return np.clip(arr.astype(np.float32, copy=False), -1.0, 1.0)


def encode_wav(samples: Channels, sr: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV; several channels are interleaved in order (channel 0 first)."""
    planar = _as_planar(samples)
    pcm = np.round(planar * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(planar.shape[0])
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.T.tobytes())
    return buf.getvalue()


def encode_opus(samples: Channels, sr: int = SAMPLE_RATE, *, bitrate: int = 32000) -> bytes:
    """Ogg/Opus, mono or stereo: ~15x smaller than 16-bit WAV for redacted copies kept for QA."""
    planar = _as_planar(samples)
    if sr not in OPUS_RATES:
        raise ValueError(f"Opus takes sample rates {OPUS_RATES}")
    if planar.shape[0] > 2:
        raise ValueError("Opus output supports one or two channels")
    layout = "mono" if planar.shape[0] == 1 else "stereo"
    buf = io.BytesIO()
    with av.open(buf, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=sr)
        stream.layout = layout
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar), format="fltp", layout=layout)
        frame.sample_rate = sr
        for packet in (*stream.encode(frame), *stream.encode(None)):
            container.mux(packet)
    return buf.getvalue()
