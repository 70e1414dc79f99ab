"""Data-subject requests (access, erasure, restriction, rectification) and transcript-turn corrections.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_by_role", sa.String(length=40), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("verification", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("matched_calls", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('access', 'erasure', 'restriction', 'lift_restriction', 'rectification')",
            name=op.f("ck_subject_requests_kind")),
        sa.CheckConstraint("status IN ('open', 'completed', 'partial')", name=op.f("ck_subject_requests_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_requests")),
    )
    op.create_index(op.f("ix_subject_requests_created_at"), "subject_requests", ["created_at"])

    op.create_table(
        "turn_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("turn_idx", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("corrected_text", sa.Text(), nullable=False),
        sa.Column("redacted_types", sa.JSON(), nullable=False),
        sa.Column("agent", sa.JSON(), nullable=False),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_turn_corrections_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["subject_requests.id"],
            name=op.f("fk_turn_corrections_request_id_subject_requests"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turn_corrections")),
    )
    op.create_index(op.f("ix_turn_corrections_call_id"), "turn_corrections", ["call_id"])
    op.create_index(op.f("ix_turn_corrections_request_id"), "turn_corrections", ["request_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_turn_corrections_request_id"), table_name="turn_corrections")
    op.drop_index(op.f("ix_turn_corrections_call_id"), table_name="turn_corrections")
    op.drop_table("turn_corrections")
    op.drop_index(op.f("ix_subject_requests_created_at"), table_name="subject_requests")
    op.drop_table("subject_requests")
