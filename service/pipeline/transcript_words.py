"""ASR segments as the detector reads them: one text, its timed words, and each word's confidence.

Shared by the pipeline's turns and self-verification's windows, so both hand the analyzer the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from models.asr import Segment
from redaction import WordConfidence
from redaction.audio import TimedWord


def timed_words(segments: Iterable[Segment], channel: int) -> tuple[str, tuple[TimedWord, ...]]:
    """Join the segments' words with single spaces: ``(text, words)`` with offsets into ``text``.

    A segment without word timestamps counts as one word without a probability (audio redaction then
    covers all of it).
    """
    text, words = "", []
    for seg in segments:
        pieces: list[tuple[str, float, float, float | None]] = [
            (w.text, w.start, w.end, w.probability) for w in seg.words] or [(seg.text, seg.start, seg.end, None)]
        for raw, start, end, probability in pieces:
            token = raw.strip()
            if not token:
                continue
            if text:
                text += " "
            words.append(TimedWord(text=token, start=start, end=end, char_start=len(text),
                                   char_end=len(text) + len(token), channel=channel, probability=probability))
            text += token
    return text, tuple(words)


def word_confidences(words: Sequence[TimedWord], shift: int = 0) -> list[WordConfidence]:
    """The ASR's probability of each word, offsets shifted by ``shift`` (a prefix put before the text)."""
    return [WordConfidence(w.char_start + shift, w.char_end + shift, w.probability)
            for w in words if w.probability is not None]
