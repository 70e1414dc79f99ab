"""A call's artefacts that still exist: the one query every reader of a stored blob starts from.

"Live" means not deleted by retention or erasure (``deleted_at`` unset); a deleted artefact keeps its row as a
record of what was there, so every reader must filter on it, and doing it here keeps them from forgetting.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.kinds import ArtefactKind
from service.store.models import Artefact


def live_artefacts(session: Session, call_id: uuid.UUID, kind: ArtefactKind) -> list[Artefact]:
    """The call's live artefacts of ``kind`` (normally one; a re-run replaces rather than adds)."""
    return list(session.scalars(select(Artefact).where(
        Artefact.call_id == call_id, Artefact.kind == kind.value, Artefact.deleted_at.is_(None))))


def live_artefact(session: Session, call_id: uuid.UUID, kind: ArtefactKind) -> Artefact | None:
    """The call's live artefact of ``kind``, or None when there is none (never made, or deleted)."""
    return session.scalars(select(Artefact).where(
        Artefact.call_id == call_id, Artefact.kind == kind.value, Artefact.deleted_at.is_(None))).first()


def artefacts_of(session: Session, call_id: uuid.UUID) -> list[Artefact]:
    """Every artefact row of the call, deleted ones included (purging a call deletes all their blobs)."""
    return list(session.scalars(select(Artefact).where(Artefact.call_id == call_id)))
