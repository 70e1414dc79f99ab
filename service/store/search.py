"""Full-text search over redacted transcripts, one function for both databases.

SQLite uses the FTS5 table kept in step with ``turns`` by triggers (migration 0002); every word of the query
becomes a prefix term, which catches Finnish inflection ("lasku" finds "laskun", "laskussa").
PostgreSQL uses the ``finnish`` text-search configuration (stemming) over a GIN expression index.

Deleting or rewriting a turn is not enough to forget its words: FTS5's ``'delete'`` only writes a tombstone
into a new segment, and the old segment blocks keep the term until they are merged. ``purge_residue``
merges every segment (``'optimize'``), which drops deleted terms; with ``secure_delete`` on (``db.py``) the
freed pages are zeroed too. On PostgreSQL the index is an expression index over ``turns.text``: the old
row version and its GIN entries go when (auto)vacuum reclaims the dead tuple, which no transaction can force.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from service.store.models import Turn

_WORD = re.compile(r"\w+", re.UNICODE)


def purge_residue(session: Session) -> None:
    """After turns were rewritten or deleted: rewrite the FTS5 index so no segment keeps their words.

    Costs one pass over the index (it is rebuilt into a single segment); call it once per review or
    sweep, not per row. A no-op on PostgreSQL (see the module docstring).
    """
    if session.get_bind().dialect.name == "sqlite":
        session.flush()
        session.execute(text("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')"))


def fts5_query(query: str) -> str | None:
    """A safe FTS5 MATCH expression: quoted prefix terms, all required. None when nothing searchable."""
    words = _WORD.findall(query.lower())[:12]
    return " ".join(f'"{w}"*' for w in words) or None


def matching_call_ids(session: Session, query: str) -> Select[uuid.UUID] | None:
    """A SELECT of ``call_id`` values whose redacted turns match ``query`` (None: the query is empty)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        if not _WORD.search(query):
            return None
        tsq = func.websearch_to_tsquery(literal_column("'finnish'"), query)
        return select(Turn.call_id).where(
            func.to_tsvector(literal_column("'finnish'"), Turn.text).op("@@")(tsq)).distinct()
    match = fts5_query(query)
    if match is None:
        return None
    rowids = text("SELECT rowid FROM turns_fts WHERE turns_fts MATCH :q").bindparams(q=match)
    return select(Turn.call_id).where(Turn.id.in_(rowids.columns(literal_column("rowid")))).distinct()
