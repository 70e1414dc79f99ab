"""Full-text search over redacted turns: SQLite FTS5 (external content + triggers), PostgreSQL GIN (finnish).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='turns', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER turns_fts_ai AFTER INSERT ON turns BEGIN "
    "INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER turns_fts_ad AFTER DELETE ON turns BEGIN "
    "INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER turns_fts_au AFTER UPDATE OF text ON turns BEGIN "
    "INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO turns_fts(turns_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS turns_fts_au", "DROP TRIGGER IF EXISTS turns_fts_ad",
               "DROP TRIGGER IF EXISTS turns_fts_ai", "DROP TABLE IF EXISTS turns_fts"]
PG_UP = ["CREATE INDEX ix_turns_text_fts ON turns USING gin (to_tsvector('finnish', text))"]
PG_DOWN = ["DROP INDEX IF EXISTS ix_turns_text_fts"]


def _run(sqlite: list[str], pg: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    for stmt in sqlite if dialect == "sqlite" else pg if dialect == "postgresql" else []:
        op.execute(stmt)


def upgrade() -> None:
    _run(SQLITE_UP, PG_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN, PG_DOWN)
