"""The subject index's terms (keyed HMACs of identifiers, per call and role) and the subject requests.

Only the rows live here; computing a term from an identifier, deciding what a match means and what an
erasure may remove is the privacy modules' work (``subject_index``, ``subjects``).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.store.models import Call, SubjectRequest, SubjectTerm
from service.store.rows import rowcount


@dataclass(frozen=True)
class TermMatch:
    """One index term that matched a call: the call, and the kind and role the term was stored under."""

    call_id: uuid.UUID
    external_id: str
    kind: str
    role: str


def subject_term(session: Session, term: str, call_id: uuid.UUID) -> SubjectTerm | None:
    """The call's row for index term ``term``, or None (a term is stored once per call)."""
    return session.scalars(select(SubjectTerm).where(SubjectTerm.hmac == term,
                                                     SubjectTerm.call_id == call_id)).first()


def term_hmacs(session: Session, call_id: uuid.UUID) -> set[str]:
    """The index terms the call holds, of every role."""
    return set(session.scalars(select(SubjectTerm.hmac).where(SubjectTerm.call_id == call_id)))


def delete_terms_of_role(session: Session, call_id: uuid.UUID, role: str) -> None:
    """Delete the call's terms of ``role``. Caller commits."""
    session.execute(delete(SubjectTerm).where(SubjectTerm.call_id == call_id, SubjectTerm.role == role))


def delete_terms(session: Session, call_id: uuid.UUID, terms: Collection[str], role: str) -> int:
    """Delete the call's terms among ``terms`` that are of ``role``; returns how many went. Caller commits."""
    return rowcount(session.execute(delete(SubjectTerm).where(
        SubjectTerm.call_id == call_id, SubjectTerm.hmac.in_(terms), SubjectTerm.role == role)))


def calls_with_terms(session: Session, terms: Collection[str], *, role: str | None = None) -> set[uuid.UUID]:
    """Ids of the calls holding any of ``terms`` (only as ``role``, if given)."""
    q = select(SubjectTerm.call_id).where(SubjectTerm.hmac.in_(terms))
    if role is not None:
        q = q.where(SubjectTerm.role == role)
    return set(session.scalars(q))


def term_matches(session: Session, terms: Collection[str]) -> list[TermMatch]:
    """Every (call, term) pair for ``terms``, the calls oldest first."""
    rows = session.execute(
        select(Call.id, Call.external_id, SubjectTerm.kind, SubjectTerm.role)
        .join(SubjectTerm, SubjectTerm.call_id == Call.id)
        .where(SubjectTerm.hmac.in_(terms)).order_by(Call.created_at, Call.id))
    return [TermMatch(call_id, external_id, kind, role) for call_id, external_id, kind, role in rows]


def list_subject_requests(session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
                          ) -> list[SubjectRequest]:
    """Subject requests, newest first (of ``kind`` only, if given)."""
    q = select(SubjectRequest).order_by(SubjectRequest.created_at.desc(), SubjectRequest.id)
    if kind is not None:
        q = q.where(SubjectRequest.kind == kind)
    return list(session.scalars(q.limit(limit).offset(offset)))


def completed_requests_before(session: Session, before: datetime) -> list[SubjectRequest]:
    """The requests completed before ``before``."""
    return list(session.scalars(select(SubjectRequest).where(
        SubjectRequest.status == "completed", SubjectRequest.completed_at < before)))


def delete_requests_before(session: Session, cutoff: datetime) -> int:
    """Delete the requests created before ``cutoff``; returns how many went. Caller commits."""
    return rowcount(session.execute(delete(SubjectRequest).where(SubjectRequest.created_at < cutoff)))
