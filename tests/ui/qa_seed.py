"""Conversation measures for the seeded demo calls (``tests.ui.seeding`` writes none: it skips the pipeline).

The stereo call gets what ``service.pipeline.analytics`` computes from its stored word times, stored the way
the pipeline stores them (classifications with value and unit, and a ``conversation_analytics`` provenance
row); the mono clips get hand-set numbers so that list filters have known answers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from service.pipeline.analytics import AGENT_NAME, METHOD, WordTime, analyze, as_classifications
from service.store.db import Database
from service.store.models import Classification, Provenance, Turn

# external id → (interruptions by the customer, silence share %)
HAND_SET = {"pbx-1990": (3, 40.0), "pbx-1985": (1, 12.5), "pbx-1960": (0, 5.0), "pbx-1970": (4, 50.0)}


def add_measures(db: Database, calls: dict[str, uuid.UUID]) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        for external_id, call_id in calls.items():
            if external_id in HAND_SET:
                interruptions, share = HAND_SET[external_id]
                rows = [("interruptions", "customer", interruptions, "count"), ("silence_share", "call", share, "%"),
                        ("talk_time", "customer", 6.0, "s"), ("wpm", "customer", 110.0, "wpm"),
                        ("silence", "call", 2.0, "s")]
                for kind, label, value, unit in rows:
                    s.add(Classification(call_id=call_id, kind=kind, label=label, score=1.0, method=METHOD,
                                         value=value, unit=unit))
                continue
            turns = s.scalars(select(Turn).where(Turn.call_id == call_id)).all()
            words = [WordTime(t.speaker, w["start"], w["end"]) for t in turns for w in t.words]
            stats = analyze(words, max((t.end_s for t in turns), default=0.0))
            for c in as_classifications(stats):
                s.add(Classification(call_id=call_id, kind=c.kind, label=c.label, score=c.score, method=c.method,
                                     value=c.value, unit=c.unit))
            s.add(Provenance(call_id=call_id, stage="conversation_analytics", started_at=now, ended_at=now,
                             agent={"name": AGENT_NAME, "version": "test", "settings": stats.settings.as_dict()},
                             used={}, generated={}))
