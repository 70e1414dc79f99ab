"""What the call page shows of the QA workbench: conversation measures per speaker, the reviewed mark, the
scorecard with its saved answers, and the chips reported as "not an identifier".

Read in the page's own transaction, before the page commits; everything here is redacted-safe (numbers,
names of reviewers, closed vocabularies, the reviewer's own comment).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.calls.call_urls import call_url
from service.calls.document import CallDocument
from service.calls.qa_review import COMMENT_MAX, OverRedaction, ReviewMark, over_redactions, review_mark
from service.calls.scorecard import SavedScorecard, Scorecard, get_scorecard, saved_answers
from service.store.kinds import Role
from service.store.models import OVER_REDACTION_REASONS

PER_SPEAKER = ("talk_time", "wpm", "interruptions")


@dataclass(frozen=True)
class SpeakerMeasures:
    speaker: str
    talk_time: float | None = None
    wpm: float | None = None
    interruptions: int | None = None


@dataclass(frozen=True)
class Analytics:
    speakers: tuple[SpeakerMeasures, ...]
    silence_s: float | None
    silence_share: float | None  # percent


@dataclass(frozen=True)
class QaPanel:
    analytics: Analytics | None
    review: ReviewMark | None
    scorecard: Scorecard
    saved: SavedScorecard | None
    flags: dict[tuple[int, int], OverRedaction] = field(default_factory=dict)  # (turn, start) → report
    may_edit: bool = False  # QA reviewers mark, score and flag; officers and admins see


def analytics_of(doc: CallDocument) -> Analytics | None:
    """The document's conversation measures grouped per speaker; None when the call has none."""
    measures = [c for c in doc.classifications if c.value is not None]
    if not measures:
        return None
    speakers: dict[str, dict[str, float]] = {}
    call: dict[str, float] = {}
    for m in measures:
        assert m.value is not None
        if m.kind in PER_SPEAKER:
            speakers.setdefault(m.label, {})[m.kind] = m.value
        else:
            call[m.kind] = m.value
    rows = tuple(SpeakerMeasures(sp, talk_time=v.get("talk_time"), wpm=v.get("wpm"),
                                 interruptions=int(v["interruptions"]) if "interruptions" in v else None)
                 for sp, v in speakers.items())
    return Analytics(rows, call.get("silence"), call.get("silence_share"))


def qa_panel(session: Session, call_id: uuid.UUID, doc: CallDocument, role: str) -> QaPanel:
    return QaPanel(analytics=analytics_of(doc), review=review_mark(session, call_id), scorecard=get_scorecard(),
                   saved=saved_answers(session, call_id),
                   flags={(r.turn, r.start): r for r in over_redactions(session, call_id)},
                   may_edit=role == Role.QA_REVIEWER.value)


def qa_context(session: Session, call: Any, doc: CallDocument, role: str) -> dict[str, Any]:
    """The call page's template variables of the QA workbench (forms post to ``service.api.routes.ui_qa``)."""
    def url(suffix: str) -> str:
        return call_url("/ui/calls", call.external_id, call.client, suffix=suffix)

    return {"qa": qa_panel(session, call.id, doc, role), "qa_error": None, "qa_form": {}, "score_error": None,
            "score_form": None, "flag_error": None, "qa_comment_max": COMMENT_MAX,
            "qa_reasons": OVER_REDACTION_REASONS,
            "qa_urls": {"reviewed": url("/reviewed"), "scorecard": url("/scorecard"),
                        "over_redaction": url("/over-redaction")}}
