"""Requests said in a call: pending rights items and verified direct-marketing choices (issue 14).

Schema: ``rights_items`` (per call, with the detector's evidence and the officer's decision),
``marketing_choices`` (register entries that outlive the call), and ``rights_items`` as an artefact kind.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("'original_audio', 'redacted_audio', 'raw_transcript', 'redacted_transcript', 'entities', "
          "'classification'")
_OLD_KINDS = f"kind IN ({_KINDS})"
_NEW_KINDS = f"kind IN ({_KINDS}, 'rights_items')"


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, service.store.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("artefacts") as batch:
        batch.drop_constraint(op.f("ck_artefacts_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_artefacts_kind"), _NEW_KINDS)
    op.create_table(
        "rights_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("turn_idx", sa.Integer(), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=False),
        sa.Column("t_end", sa.Float(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        _ts("decided_at", nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        _ts("created_at"),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f("ck_rights_items_status")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_rights_items_call_id_calls"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["request_id"], ["subject_requests.id"],
                                name=op.f("fk_rights_items_request_id_subject_requests"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_items")),
    )
    op.create_index(op.f("ix_rights_items_call_id"), "rights_items", ["call_id"])
    op.create_index(op.f("ix_rights_items_status"), "rights_items", ["status"])
    op.create_index(op.f("ix_rights_items_request_id"), "rights_items", ["request_id"])
    op.create_table(
        "marketing_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("call_id", sa.Uuid(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("verified_by", sa.String(length=100), nullable=False),
        _ts("verified_at"),
        sa.CheckConstraint("choice IN ('prohibit', 'consent')", name=op.f("ck_marketing_choices_choice")),
        sa.CheckConstraint("status IN ('verified', 'withdrawn')", name=op.f("ck_marketing_choices_status")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_marketing_choices_call_id_calls"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["item_id"], ["rights_items.id"],
                                name=op.f("fk_marketing_choices_item_id_rights_items"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_choices")),
    )
    op.create_index(op.f("ix_marketing_choices_call_id"), "marketing_choices", ["call_id"])
    op.create_index(op.f("ix_marketing_choices_verified_at"), "marketing_choices", ["verified_at"])


def downgrade() -> None:
    op.drop_table("marketing_choices")
    op.drop_table("rights_items")
    op.execute("DELETE FROM artefacts WHERE kind = 'rights_items'")
    with op.batch_alter_table("artefacts") as batch:
        batch.drop_constraint(op.f("ck_artefacts_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_artefacts_kind"), _OLD_KINDS)
