"""Subject terms know whether the subject is a party of the call or only mentioned; structured identity
verification and a second approver for erasure (security review #4, #16).

Terms indexed before this revision cannot be told apart (metadata and spoken identifiers were stored alike),
so they become ``mention``: the safe reading, under which no request erases or hands out another person's
call. Requests made before it keep their free-text verification with a NULL method.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_OLD_STATUSES = "status IN ('open', 'completed', 'partial')"
_NEW_STATUSES = "status IN ('open', 'completed', 'partial', 'pending_approval', 'rejected')"
_METHODS = ("verification_method IS NULL OR verification_method IN "
            "('id_document', 'strong_electronic_id', 'known_contact_callback', 'in_person')")


def upgrade() -> None:
    with op.batch_alter_table("subject_index") as batch:
        batch.add_column(sa.Column("role", sa.String(length=16), server_default="mention", nullable=False))
        batch.create_check_constraint(op.f("ck_subject_index_role"), "role IN ('party', 'mention')")
    with op.batch_alter_table("subject_requests") as batch:
        batch.add_column(sa.Column("verification_method", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("approved_at", service.store.types.UTCDateTime(timezone=True), nullable=True))
        batch.drop_constraint(op.f("ck_subject_requests_status"), type_="check")
        batch.create_check_constraint(op.f("ck_subject_requests_status"), _NEW_STATUSES)
        batch.create_check_constraint(op.f("ck_subject_requests_verification_method"), _METHODS)


def downgrade() -> None:
    # An erasure still waiting for its second officer goes back to "open": nothing was erased.
    op.execute("UPDATE subject_requests SET status = 'open' WHERE status = 'pending_approval'")
    op.execute("UPDATE subject_requests SET status = 'completed' WHERE status = 'rejected'")
    with op.batch_alter_table("subject_requests") as batch:
        batch.drop_constraint(op.f("ck_subject_requests_verification_method"), type_="check")
        batch.drop_constraint(op.f("ck_subject_requests_status"), type_="check")
        batch.create_check_constraint(op.f("ck_subject_requests_status"), _OLD_STATUSES)
        batch.drop_column("approved_at")
        batch.drop_column("approved_by")
        batch.drop_column("verification_method")
    with op.batch_alter_table("subject_index") as batch:
        batch.drop_constraint(op.f("ck_subject_index_role"), type_="check")
        batch.drop_column("role")
