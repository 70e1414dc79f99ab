"""The rows the retention sweep looks for: artefacts past their ``retain_until``, calls left with nothing live,
and expired tombstones. Which of them may go (holds, active jobs, blobs first) is ``service.privacy.retention``'s
decision; this module only finds and deletes rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.store.kinds import ACTIVE_STATES
from service.store.models import Artefact, Call, ErasedCall, Job, Tombstone
from service.store.rows import rowcount

_ACTIVE = sorted(s.value for s in ACTIVE_STATES)


def calls_with_due_artefacts(session: Session, now: datetime) -> list[uuid.UUID]:
    """Ids of the calls with a live artefact whose ``retain_until`` is at or before ``now``."""
    return list(session.scalars(
        select(Artefact.call_id).where(Artefact.deleted_at.is_(None), Artefact.retain_until <= now).distinct()))


def due_artefacts(session: Session, call_id: uuid.UUID, now: datetime) -> list[Artefact]:
    """The call's live artefacts due at ``now``, oldest first, re-read from the database (a hold taken since
    they were loaded must be seen)."""
    return list(session.scalars(
        select(Artefact).where(Artefact.call_id == call_id, Artefact.deleted_at.is_(None),
                               Artefact.retain_until <= now)
        .order_by(Artefact.id).execution_options(populate_existing=True)))


def purgeable_calls(session: Session, also_deleted: Collection[int]) -> list[Call]:
    """Calls with at least one artefact, none of them live (counting the ids in ``also_deleted`` as deleted),
    no legal hold on the call and no active job; oldest first."""
    live = select(Artefact.id).where(Artefact.call_id == Call.id, Artefact.deleted_at.is_(None))
    if also_deleted:
        live = live.where(Artefact.id.not_in(also_deleted))
    q = (select(Call).where(Call.legal_hold.is_(False), ~live.exists(),
                            select(Artefact.id).where(Artefact.call_id == Call.id).exists(),
                            ~select(Job.id).where(Job.call_id == Call.id, Job.state.in_(_ACTIVE)).exists())
         .order_by(Call.created_at))
    return list(session.scalars(q))


def delete_tombstones_before(session: Session, cutoff: datetime) -> int:
    """Delete the tombstones of deletions before ``cutoff``; returns how many went. Caller commits."""
    return rowcount(session.execute(delete(Tombstone).where(Tombstone.deleted_at < cutoff)))


def delete_erased_calls_before(session: Session, cutoff: datetime) -> int:
    """Delete the "erased on request" digests of erasures before ``cutoff`` (they expire with the tombstones)."""
    return rowcount(session.execute(delete(ErasedCall).where(ErasedCall.erased_at < cutoff)))


def latest_erasure(session: Session, digests: list[str]) -> ErasedCall | None:
    """The newest "erased on request" record among the keyed digests of a call's possible (client, call id)."""
    return session.scalars(select(ErasedCall).where(ErasedCall.digest.in_(digests))
                           .order_by(ErasedCall.erased_at.desc())).first()
