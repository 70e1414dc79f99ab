"""Full-text search over redacted transcripts, one function for both databases.

SQLite uses the FTS5 table kept in step with ``turns`` by triggers (migration 0002); every word of the query
becomes a prefix term, which catches Finnish inflection ("lasku" finds "laskun", "laskussa").
PostgreSQL uses the ``finnish`` text-search configuration (stemming) over a GIN expression index.
"""

from __future__ import annotations

import re

from sqlalchemy import Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from service.store.models import Turn

_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_query(query: str) -> str | None:
    """A safe FTS5 MATCH expression: quoted prefix terms, all required. None when nothing searchable."""
    words = _WORD.findall(query.lower())[:12]
    return " ".join(f'"{w}"*' for w in words) or None


def matching_call_ids(session: Session, query: str) -> Select | None:
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
