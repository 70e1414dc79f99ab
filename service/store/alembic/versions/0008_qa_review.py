"""The QA reviewer's workbench: conversation measures, reviewed calls, scorecards, over-redaction reports.

Schema:
- ``classifications`` gets ``value`` and ``unit`` (a conversation measure's number, ``service.pipeline.analytics``);
- ``call_reviews``: one "reviewed" mark per call (reviewer, time, short comment);
- ``scorecard_answers``: one filled-in scorecard per call (answers, weighted score);
- ``redaction_reports``: a reviewer's "not an identifier" report on a redaction (changes nothing by itself).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> service.store.types.UTCDateTime:
    return service.store.types.UTCDateTime(timezone=True)


def _call_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f(f"fk_{table}_call_id_calls"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("unit", sa.String(length=16), nullable=True))
    op.create_table(
        "call_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("reviewed_at", _when(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        _call_fk("call_reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_reviews")),
        sa.UniqueConstraint("call_id", name=op.f("uq_call_reviews_call_id")),
    )
    op.create_table(
        "scorecard_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("scorecard", sa.String(length=100), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        _call_fk("scorecard_answers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_answers")),
        sa.UniqueConstraint("call_id", name=op.f("uq_scorecard_answers_call_id")),
    )
    op.create_table(
        "redaction_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("turn_idx", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.CheckConstraint("kind IN ('over_redaction')", name=op.f("ck_redaction_reports_kind")),
        sa.CheckConstraint("reason IN ('not_personal', 'public_information', 'company_data', 'other')",
                           name=op.f("ck_redaction_reports_reason")),
        _call_fk("redaction_reports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction_reports")),
    )
    op.create_index(op.f("ix_redaction_reports_call_id"), "redaction_reports", ["call_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_redaction_reports_call_id"), table_name="redaction_reports")
    op.drop_table("redaction_reports")
    op.drop_table("scorecard_answers")
    op.drop_table("call_reviews")
    with op.batch_alter_table("classifications") as batch:
        batch.drop_column("unit")
        batch.drop_column("value")
