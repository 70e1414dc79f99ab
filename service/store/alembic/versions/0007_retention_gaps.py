"""Retention of deliveries, requests and corrections.

Schema: indexes on ``webhook_deliveries.received_at`` and ``tombstones.deleted_at``, which the retention
sweep now deletes by (``records:`` in retention.yaml).

Data (security review #3, #11, #22), not reversed by the downgrade:
- provenance rows written before digests were keyed lose their unkeyed digests of the redacted transcript,
  a reviewed turn and the original recording (``"withdrawn:unkeyed"``): the migration has no key to
  recompute them, and a plain sha256 of text that held a missed identifier can be inverted;
- the stored answers of webhook deliveries whose call was already erased or purged (``call_id`` NULL) no
  longer name the telephony call id (status 410, as ``service.privacy.retention`` now leaves them);
- SQLite: the FTS5 index is merged once, so segments written before no longer keep deleted words.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import service.store.types  # noqa: F401

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNKEYED_FIELDS = ("redacted_transcript", "redacted_turn", "audio")
WITHDRAWN = "withdrawn:unkeyed"
GONE_RESPONSE = {"error": "gone", "detail": "this delivery's call no longer exists"}

_provenance = sa.table("provenance", sa.column("id", sa.Integer), sa.column("used", sa.JSON),
                       sa.column("generated", sa.JSON))
_deliveries = sa.table("webhook_deliveries", sa.column("call_id"), sa.column("status_code", sa.Integer),
                       sa.column("response", sa.JSON))


def upgrade() -> None:
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])
    op.create_index("ix_tombstones_deleted_at", "tombstones", ["deleted_at"])
    bind = op.get_bind()
    for row in bind.execute(sa.select(_provenance)).all():
        used, generated = _withdrawn(row.used), _withdrawn(row.generated)
        if used != row.used or generated != row.generated:
            bind.execute(_provenance.update().where(_provenance.c.id == row.id)
                         .values(used=used, generated=generated))
    bind.execute(_deliveries.update().where(_deliveries.c.call_id.is_(None))
                 .values(status_code=410, response=GONE_RESPONSE))
    if bind.dialect.name == "sqlite":
        op.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")


def downgrade() -> None:
    op.drop_index("ix_tombstones_deleted_at", table_name="tombstones")
    op.drop_index("ix_webhook_deliveries_received_at", table_name="webhook_deliveries")


def _withdrawn(doc: Any) -> Any:
    """``doc`` with every unkeyed digest of a field in ``UNKEYED_FIELDS`` replaced by ``WITHDRAWN``."""
    if not isinstance(doc, dict):
        return doc
    return {k: WITHDRAWN if k in UNKEYED_FIELDS and isinstance(v, str) and not v.startswith("hmac-sha256:")
            and v != WITHDRAWN else v for k, v in doc.items()}
