"""HTTP range requests (RFC 9110 §14) over bytes held in memory: 206 for one satisfiable range, 416 otherwise.

Starlette's ``FileResponse`` answers ranges only for files on disk; the listening copy of a call lives in
memory (decrypted audio is never written to disk in plain), so the one-range case a media element needs is
parsed here. Several ranges in one request are answered with the whole body (200), which RFC 9110 allows:
a server may ignore ``Range``; browsers' media elements never ask for more than one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi.responses import Response

_SPEC = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(ValueError):
    """The range names no byte of the body (answered 416 with ``Content-Range: bytes */size``)."""


@dataclass(frozen=True)
class ByteRange:
    """Inclusive first and last byte, as ``Content-Range`` writes them."""

    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range of ``header`` within ``size`` bytes; ``None`` for the whole body.

    ``None`` when there is no header, several ranges, or a unit other than bytes (ignored, 200). A
    malformed or unsatisfiable single byte range raises ``RangeNotSatisfiable``.
    """
    if header is None or not header.strip().lower().startswith("bytes") or "," in header:
        return None
    m = _SPEC.match(header)
    if m is None:
        raise RangeNotSatisfiable("malformed byte range")
    first_s, last_s = m.groups()
    if not first_s:  # suffix: the last N bytes
        if not last_s or int(last_s) == 0 or size == 0:
            raise RangeNotSatisfiable("empty suffix range")
        return ByteRange(max(0, size - int(last_s)), size - 1)
    first = int(first_s)
    last = min(int(last_s), size - 1) if last_s else size - 1
    if first >= size or (last_s and int(last_s) < first):
        raise RangeNotSatisfiable("range outside the body")
    return ByteRange(first, last)


def ranged_response(data: bytes, media_type: str, range_header: str | None,
                    headers: Mapping[str, str] | None = None) -> Response:
    """200 with the whole body, 206 with one range, or 416; always ``Accept-Ranges: bytes``."""
    base = {"Accept-Ranges": "bytes", **(headers or {})}
    try:
        wanted = parse_range(range_header, len(data))
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**base, "Content-Range": f"bytes */{len(data)}"})
    if wanted is None:
        return Response(data, media_type=media_type, headers=base)
    return Response(data[wanted.first:wanted.last + 1], status_code=206, media_type=media_type,
                    headers={**base, "Content-Range": f"bytes {wanted.first}-{wanted.last}/{len(data)}"})
