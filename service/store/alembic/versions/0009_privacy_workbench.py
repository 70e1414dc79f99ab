"""The privacy workbench: who put a manual legal hold on and why, and the digests of erased calls.

Schema: ``calls.legal_hold_reason``, ``legal_hold_by``, ``legal_hold_at`` (a manual hold now needs a reason);
``erased_calls`` (a keyed digest of the client and telephony call id of each call erased on request, its date
and the request's id: the "erased on request" page without keeping the id readable, security review #11).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, never batch mode: on SQLite a batch copy drops and re-creates ``calls``, and
    # dropping it cascades to every row that references a call.
    op.add_column("calls", sa.Column("legal_hold_reason", sa.Text(), nullable=True))
    op.add_column("calls", sa.Column("legal_hold_by", sa.String(100), nullable=True))
    op.add_column("calls", sa.Column("legal_hold_at", service.store.types.UTCDateTime(), nullable=True))
    op.create_table(
        "erased_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(100), nullable=False),
        sa.Column("erased_at", service.store.types.UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_calls")),
    )
    op.create_index("ix_erased_calls_digest", "erased_calls", ["digest"])
    op.create_index("ix_erased_calls_erased_at", "erased_calls", ["erased_at"])


def downgrade() -> None:
    op.drop_index("ix_erased_calls_erased_at", table_name="erased_calls")
    op.drop_index("ix_erased_calls_digest", table_name="erased_calls")
    op.drop_table("erased_calls")
    for column in ("legal_hold_at", "legal_hold_by", "legal_hold_reason"):
        op.drop_column("calls", column)
