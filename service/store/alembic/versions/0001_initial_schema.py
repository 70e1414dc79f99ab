"""Initial schema: calls, jobs, derived results, retention tags, subject index, audit log, users.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_log_prev_hash")),
    )
    op.create_table(
        "calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("audio_sha256", sa.String(length=64), nullable=False),
        sa.Column("started_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("queue", sa.String(length=100), nullable=True),
        sa.Column("agent_id", sa.String(length=100), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("client", "external_id", name=op.f("uq_calls_client_external_id")),
    )
    op.create_index(op.f("ix_calls_created_at"), "calls", ["created_at"])
    op.create_index(op.f("ix_calls_status"), "calls", ["status"])

    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("policy", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
    )
    op.create_index(op.f("ix_tombstones_call_id"), "tombstones", ["call_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('qa_reviewer', 'privacy_officer', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "artefacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("blob_key", sa.String(length=300), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("data_category", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("policy", sa.String(length=60), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=False),
        sa.Column("legal_basis", sa.String(length=80), nullable=False),
        sa.Column("retain_until", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('original_audio', 'redacted_audio', 'raw_transcript', "
            "'redacted_transcript', 'entities', 'classification')",
            name=op.f("ck_artefacts_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_artefacts_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artefacts")),
        sa.UniqueConstraint("call_id", "kind", name=op.f("uq_artefacts_call_id_kind")),
    )
    op.create_index(op.f("ix_artefacts_retain_until"), "artefacts", ["retain_until"])

    op.create_table(
        "entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("turn_idx", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("t_start", sa.Float(), nullable=True),
        sa.Column("t_end", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("recognizer", sa.String(length=100), nullable=False),
        sa.Column("operator", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_entities_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
    )
    op.create_index(op.f("ix_entities_call_id"), "entities", ["call_id"])

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("heartbeat_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", service.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'transcribing', 'redacting', 'classifying', 'done', 'failed', 'dead')",
            name=op.f("ck_jobs_state"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_jobs_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_call_id"), "jobs", ["call_id"])
    op.create_index(op.f("ix_jobs_state_next_attempt_at"), "jobs", ["state", "next_attempt_at"])

    op.create_table(
        "subject_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hmac", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_subject_index_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_index")),
        sa.UniqueConstraint("hmac", "call_id", name=op.f("uq_subject_index_hmac_call_id")),
    )
    op.create_index(op.f("ix_subject_index_call_id"), "subject_index", ["call_id"])
    op.create_index(op.f("ix_subject_index_hmac"), "subject_index", ["hmac"])

    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=False),
        sa.Column("end_s", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_turns_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turns")),
        sa.UniqueConstraint("call_id", "idx", name=op.f("uq_turns_call_id_idx")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("webhook_id", sa.String(length=200), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_webhook_deliveries_call_id_calls"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("client", "webhook_id", name=op.f("uq_webhook_deliveries_client_webhook_id")),
    )
    op.create_index(op.f("ix_webhook_deliveries_call_id"), "webhook_deliveries", ["call_id"])

    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefacts.id"],
            name=op.f("fk_classifications_artefact_id_artefacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_classifications_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifications")),
    )
    op.create_index(op.f("ix_classifications_call_id"), "classifications", ["call_id"])

    op.create_table(
        "provenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("artefact_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=60), nullable=False),
        sa.Column("started_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", service.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agent", sa.JSON(), nullable=False),
        sa.Column("used", sa.JSON(), nullable=False),
        sa.Column("generated", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artefact_id"],
            ["artefacts.id"],
            name=op.f("fk_provenance_artefact_id_artefacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_provenance_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance")),
    )
    op.create_index(op.f("ix_provenance_call_id"), "provenance", ["call_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_provenance_call_id"), table_name="provenance")

    op.drop_table("provenance")
    op.drop_index(op.f("ix_classifications_call_id"), table_name="classifications")

    op.drop_table("classifications")
    op.drop_index(op.f("ix_webhook_deliveries_call_id"), table_name="webhook_deliveries")

    op.drop_table("webhook_deliveries")
    op.drop_table("turns")
    op.drop_index(op.f("ix_subject_index_hmac"), table_name="subject_index")
    op.drop_index(op.f("ix_subject_index_call_id"), table_name="subject_index")

    op.drop_table("subject_index")
    op.drop_index(op.f("ix_jobs_state_next_attempt_at"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_call_id"), table_name="jobs")

    op.drop_table("jobs")
    op.drop_index(op.f("ix_entities_call_id"), table_name="entities")

    op.drop_table("entities")
    op.drop_index(op.f("ix_artefacts_retain_until"), table_name="artefacts")

    op.drop_table("artefacts")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_index(op.f("ix_tombstones_call_id"), table_name="tombstones")

    op.drop_table("tombstones")
    op.drop_index(op.f("ix_calls_status"), table_name="calls")
    op.drop_index(op.f("ix_calls_created_at"), table_name="calls")

    op.drop_table("calls")
    op.drop_table("audit_log")
