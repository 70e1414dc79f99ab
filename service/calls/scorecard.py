"""The QA scorecard: questions from a YAML file, a reviewer's answers, and their weighted score.

Contact-centre QA tools (Playbook/Scorebuddy-style scorecards) let the QA lead write the form; so does this.
The file is named by the setting ``PUHETURVA_SCORECARD`` (default: the packaged ``scorecard.yaml``) and is read
once per path and validated at start-up (``service.api.app``): a bad file stops the service with a message that
names the file and the key, rather than failing on the first reviewer's submit.

The score is ``100 × Σ weight·points / Σ weight`` over the answered questions, where a yes is 1, a no 0 and a
scale answer ``n / max``; "n/a" leaves the question out. All n/a: no score (None).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.errors import Invalid
from service.platform.yaml_models import load_yaml_model
from service.privacy import audit
from service.store.models import ScorecardAnswer
from service.store.repo_qa import scorecard_answer

AUDIT_ACTION = "review.scorecard"
YES_NO_NA = ("yes", "no", "na")


class ScorecardError(ValueError):
    """The scorecard file cannot be used; the message names the file and the key."""


class InvalidAnswers(Invalid):
    """Answers missing or outside a question's choices; ``questions`` lists the ids (no answer values)."""

    code = "invalid_answers"

    def __init__(self, questions: list[str]) -> None:
        super().__init__("unanswered or invalid questions: " + ", ".join(questions))
        self.questions = questions


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Model):
    fi: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.fi


class Question(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    text: Text
    weight: float = Field(gt=0, le=100)
    answer: Literal["yes_no_na", "scale"]
    max: int | None = Field(None, ge=1, le=10)

    @model_validator(mode="after")
    def _scale_has_max(self) -> Question:
        if (self.answer == "scale") != (self.max is not None):
            raise ValueError("max is required for a scale question and only for one")
        return self

    def choices(self) -> tuple[str, ...]:
        """The answers a form may send for this question."""
        return YES_NO_NA if self.max is None else tuple(str(n) for n in range(self.max + 1))

    def points(self, answer: str) -> float | None:
        """0..1, or None for n/a."""
        if self.max is not None:
            return int(answer) / self.max
        return None if answer == "na" else float(answer == "yes")


class Scorecard(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,59}$")
    version: int = Field(ge=1)
    title: Text
    questions: tuple[Question, ...] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unique_ids(self) -> Scorecard:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be unique")
        return self

    @property
    def ref(self) -> str:
        """What the stored answers say they belong to: ``id@version``."""
        return f"{self.id}@{self.version}"

    def parse(self, form: Mapping[str, Any]) -> dict[str, str]:
        """Answers from a form (``q_<id>`` fields); ``InvalidAnswers`` names every bad or missing one."""
        answers, bad = {}, []
        for q in self.questions:
            value = form.get(f"q_{q.id}")
            if isinstance(value, str) and value in q.choices():
                answers[q.id] = value
            else:
                bad.append(q.id)
        if bad:
            raise InvalidAnswers(bad)
        return answers

    def score(self, answers: Mapping[str, str]) -> float | None:
        """The weighted score 0..100 of complete, valid answers; None when every question is n/a."""
        got = [(q.weight, q.points(answers[q.id])) for q in self.questions]
        weights = sum(w for w, p in got if p is not None)
        if not weights:
            return None
        return round(100 * sum(w * p for w, p in got if p is not None) / weights, 1)


def load_scorecard(path: Path) -> Scorecard:
    """Read and validate a scorecard file; every problem becomes a ``ScorecardError`` naming file and key."""
    return load_yaml_model(path, Scorecard, "scorecard", ScorecardError)


@lru_cache(maxsize=4)
def _cached(path: str) -> Scorecard:
    return load_scorecard(Path(path))


def get_scorecard() -> Scorecard:
    """The scorecard named by the settings (cached per path)."""
    from service.platform.config import get_settings

    return _cached(str(get_settings().scorecard))


@dataclass(frozen=True)
class SavedScorecard:
    scorecard: str
    answers: dict[str, str]
    score: float | None
    reviewer: str
    at: datetime


def save_answers(session: Session, call_id: uuid.UUID, card: Scorecard, answers: dict[str, str], *,
                 reviewer: str, role: str, now: datetime | None = None) -> SavedScorecard:
    """Store (or replace) the call's scorecard with its score, audited; in the caller's transaction."""
    now = now or utcnow()
    score = card.score(answers)
    row = scorecard_answer(session, call_id)
    if row is None:
        row = ScorecardAnswer(call_id=call_id)
        session.add(row)
    row.scorecard, row.answers, row.score = card.ref, dict(answers), score
    row.reviewer, row.role, row.created_at = reviewer, role, now
    audit.record(session, reviewer, role, AUDIT_ACTION, "call", str(call_id),
                 {"scorecard": card.ref, "score": score, "answered": len(answers)}, now=now)
    session.flush()
    return SavedScorecard(card.ref, dict(answers), score, reviewer, now)


def saved_answers(session: Session, call_id: uuid.UUID) -> SavedScorecard | None:
    row = scorecard_answer(session, call_id)
    if row is None:
        return None
    return SavedScorecard(row.scorecard, dict(row.answers), row.score, row.reviewer, row.created_at)
