"""The rights-request stage: requests said in the call (access, erasure, marketing choices …) with evidence.

The detector itself (``models.rights_requests``) reads only the customer's side; this module is the one
adapter between its hits and the pipeline's frozen ``RightsItem`` records, and the stage's provenance. It runs
over the **redacted** turns, so no identifier reaches the detector's evidence or the store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from models.provenance import Activity, ModelInfo, utcnow
from models.rights_requests import RightsHit
from service.pipeline.result import RedactedTurn, RightsItem
from service.platform.digests import text_digest

STAGE = "detect_rights"


class RightsDetectorLike(Protocol):
    """What the pipeline needs of ``models.rights_requests.RightsDetector``."""

    @property
    def model_info(self) -> ModelInfo: ...

    def detect(self, turns: Sequence[RedactedTurn]) -> Sequence[RightsHit]: ...  # its Turn, duck-typed


def to_item(hit: RightsHit, turns: Sequence[RedactedTurn]) -> RightsItem:
    """One detector hit as a ``RightsItem``: the turn's own index, and the time range of the matched words
    (the words of the redacted turn overlapping the hit's characters; the turn's range when none do)."""
    turn = turns[hit.turn_index]
    touched = [w for w in turn.words if w.char_start < hit.char_end and w.char_end > hit.char_start]
    start, end = (min(w.start for w in touched), max(w.end for w in touched)) if touched else (hit.start, hit.end)
    return RightsItem(kind=hit.kind, channel=hit.channel, turn=turn.index, start=round(start, 3),
                      end=round(end, 3), cues=tuple(hit.cues), score=round(hit.score, 3),
                      method=f"lexicon:{hit.cue_id}")


def detect_rights(detector: RightsDetectorLike, turns: Sequence[RedactedTurn], prov: list[Activity],
                  digest_key: bytes) -> tuple[RightsItem, ...]:
    """Run ``detector`` over the redacted turns; append the stage's provenance ``Activity``."""
    started = utcnow()
    items = tuple(to_item(h, turns) for h in detector.detect(turns))
    generated = json.dumps([i.to_dict() for i in items], sort_keys=True, ensure_ascii=False)
    prov.append(Activity(stage=STAGE, started_at=started, ended_at=utcnow(), agent=detector.model_info,
                         used={"redacted_transcript": text_digest("\n".join(t.text for t in turns), digest_key)},
                         generated={"rights_items": text_digest(generated, digest_key), "count": str(len(items))}))
    return items
