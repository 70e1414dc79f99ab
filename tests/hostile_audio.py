"""Silent recordings shaped like the review's hostile uploads (review #1, #10), made in the test, not committed.

PyAV 18.1 segfaults decoding 8 or more channels; these files reach that code path with a few kilobytes.
"""

from __future__ import annotations

import io
import wave

import av
import numpy as np


def silent_wav(channels: int, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """Silent 16-bit PCM WAV with ``channels`` channels, made with ``wave`` as in the review."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.zeros((int(rate * seconds), channels), "<i2").tobytes())
    return buf.getvalue()


def silent_flac(layout: str, channels: int, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A silent FLAC with ``layout`` (7.1: the 10.6 KB upload that killed the review's server)."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="flac") as container:
        stream = container.add_stream("flac", rate=rate)
        stream.layout = layout
        frame = av.AudioFrame.from_ndarray(np.zeros((1, int(rate * seconds) * channels), np.int16), format="s16",
                                           layout=layout)
        frame.sample_rate = rate
        for packet in (*stream.encode(frame), *stream.encode(None)):
            container.mux(packet)
    return buf.getvalue()
