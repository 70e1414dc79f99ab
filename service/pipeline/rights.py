"""The rights-request stage: requests said in the call (access, erasure, marketing choices …) with evidence.

The detector itself (``models.rights_requests``) reads only the customer's side; this module is the one
adapter between its hits and the pipeline's frozen ``RightsItem`` records, and the stage's provenance. It runs
over the **redacted** turns, so no identifier reaches the detector's evidence or the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from models.provenance import Activity, ModelInfo, utcnow
from service.pipeline.result import RedactedTurn, RightsItem
from service.platform.digests import text_digest

STAGE = "detect_rights"


class RightsDetectorLike(Protocol):
    """What the pipeline needs of ``models.rights_requests.RightsDetector``."""

    @property
    def model_info(self) -> ModelInfo: ...

    def detect(self, turns: Sequence[Any]) -> Sequence[Any]: ...


def to_item(hit: Any) -> RightsItem:
    """One detector hit as a ``RightsItem``: the only place that knows the detector's field names."""
    start, end = _time_range(hit)
    cues = getattr(hit, "cues", None) or getattr(hit, "cue_words", ()) or ()
    return RightsItem(kind=str(getattr(hit, "kind")), channel=getattr(hit, "channel", None),  # noqa: B009
                      turn=int(getattr(hit, "turn", getattr(hit, "turn_index", -1))),
                      start=round(float(start), 3), end=round(float(end), 3),
                      cues=tuple(str(c) for c in cues), score=round(float(getattr(hit, "score", 1.0)), 3),
                      method=str(getattr(hit, "method", "rights_detector")))


def _time_range(hit: Any) -> tuple[float, float]:
    if hasattr(hit, "start") and hasattr(hit, "end"):
        return float(hit.start), float(hit.end)
    rng = getattr(hit, "time_range", (0.0, 0.0))
    return float(rng[0]), float(rng[1])


def detect_rights(detector: RightsDetectorLike, turns: Sequence[RedactedTurn], prov: list[Activity],
                  digest_key: bytes) -> tuple[RightsItem, ...]:
    """Run ``detector`` over the redacted turns; append the stage's provenance ``Activity``."""
    started = utcnow()
    items = tuple(sorted((to_item(h) for h in detector.detect(turns)), key=lambda i: (i.turn, i.kind)))
    generated = json.dumps([i.to_dict() for i in items], sort_keys=True, ensure_ascii=False)
    prov.append(Activity(stage=STAGE, started_at=started, ended_at=utcnow(), agent=detector.model_info,
                         used={"redacted_transcript": text_digest("\n".join(t.text for t in turns), digest_key)},
                         generated={"rights_items": text_digest(generated, digest_key), "count": str(len(items))}))
    return items
