"""Engines, sessions and start-up migrations for SQLite (single node) and PostgreSQL.

SQLite: WAL, foreign keys on, a busy timeout, and every transaction opened with ``BEGIN IMMEDIATE``. The last
one makes SQLite writers queue up instead of failing half-way (a deferred transaction that read first cannot
upgrade to a writer once another connection wrote), which is what the job claim, the webhook idempotency and
the audit chain rely on. The price: transactions are serialised, so never hold a session across slow work
(ASR), open a short one per step.

Two things keep that queue short under load (issue 15: the webhook's p99 while a worker writes):
- the threads of one process take their turn on a lock of the ``Database`` before ``BEGIN IMMEDIATE``.
  SQLite's own busy handler polls with growing sleeps (up to 100 ms between tries), so twenty webhook threads
  waiting inside SQLite woke late and in no order; on the lock each wakes as soon as the one before commits.
  Other processes (the worker process, the CLI) still meet at SQLite's lock.
- ``Database.read_session()`` opens a deferred transaction and takes no lock: in WAL mode a reader sees the
  last commit and never waits for a writer. Only for sessions that never write (a deferred transaction that
  writes could fail half-way, see above).

PostgreSQL: plain READ COMMITTED; the code that must serialise uses ``FOR UPDATE SKIP LOCKED`` or advisory
locks explicitly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from service.platform.private_files import create_private_file, private_dir, private_file_modes

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it only has to be the same in every process migrating this database.
_MIGRATION_LOCK_ID = 0x7075_6865  # "puhe"
READ_ONLY = "puheturva_read_only"  # an execution option: SQLite opens a deferred transaction


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the per-dialect settings above. Creates the SQLite file's directory if needed."""
    u = make_url(url)
    # Statement parameters are call content (turn texts, metadata): keep them out of exception messages
    # and SQL echo logs, which end up in tracebacks and log files.
    kwargs.setdefault("hide_parameters", True)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, pool_pre_ping=True, **kwargs)
    memory = u.database in (None, "", ":memory:")
    db_file = None if memory else Path(u.database or "").expanduser()
    if db_file is not None:
        # Private from the first byte (review #14): an empty file is a valid empty database, and SQLite gives
        # the -wal and -shm files it creates later the mode of the database file.
        private_dir(db_file.parent, tighten=False)
        create_private_file(db_file)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    opts: dict[str, Any] = {"connect_args": connect_args}
    if memory:
        opts["poolclass"] = StaticPool
    engine = create_engine(u, **opts, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (and FTS5 segments) are overwritten with zeros, not left in free pages: a reported
        # identifier or an erased call must not be readable from the file. Builds differ in the default.
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()
        if db_file is not None:  # a database created before this release (0644) is narrowed on first use
            private_file_modes(*(db_file.with_name(db_file.name + end) for end in ("", "-wal", "-shm")))

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

    return engine


# Objects that revisions create with raw SQL and the ORM does not describe: SQLite FTS5 tables (with their
# shadow tables) and the PostgreSQL full-text GIN index.
RAW_SQL_TABLE_PREFIXES = ("turns_fts",)
RAW_SQL_INDEX_PREFIXES = ("ix_turns_text_fts",)


def include_in_autogenerate(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic ``include_name`` hook: leave raw-SQL objects out of autogenerate comparisons."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(RAW_SQL_TABLE_PREFIXES)
    if type_ == "index":
        return not name.startswith(RAW_SQL_INDEX_PREFIXES)
    return True


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects returned by repository functions stay readable after the scope ends.
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session], turn: threading.RLock | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception; under ``turn`` when given.

    ``turn`` is reentrant so that a scope opened inside another on the same thread behaves as it did without
    it (SQLite decides, after its busy timeout), instead of waiting for itself forever.
    """
    if turn is not None and not turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        turn = None  # as long as SQLite would have waited; from here SQLite's busy timeout decides
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if turn is not None:
            turn.release()


@dataclass
class Database:
    """An engine and its session factories, the thing the API, workers and CLI share."""

    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session] | None = None
    _turn: threading.RLock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self._turn = threading.RLock()
            if self.readers is None:
                self.readers = make_session_factory(self.engine.execution_options(**{READ_ONLY: True}))

    def session(self, *, take_turn: bool = True) -> Any:
        """``with db.session() as s:`` — a ``session_scope`` on this database (SQLite: in this process's turn).

        ``take_turn=False`` for a scope whose start and end may run on different threads (a FastAPI
        dependency: its ``__enter__`` and ``__exit__`` run in separate threadpool calls), which a thread-owned
        lock cannot serve; SQLite's own lock still orders it.
        """
        return session_scope(self.sessions, self._turn if take_turn else None)

    def read_session(self) -> Any:
        """A scope for reads only: on SQLite a deferred transaction that neither waits for nor blocks writers."""
        return session_scope(self.readers or self.sessions)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, run_migrations: bool = True) -> Database:
    """Migrate (by default) and open the database at ``url``."""
    if run_migrations:
        migrate(url)
    engine = make_engine(url)
    return Database(engine, make_session_factory(engine))


def alembic_config(url: str | None = None) -> Config:
    """The packaged Alembic configuration (``service/store/alembic.ini``), optionally bound to ``url``."""
    here = resources.files("service.store")
    cfg = Config(str(here / "alembic.ini"))
    cfg.set_main_option("script_location", str(here / "alembic"))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``. Safe at every start and from several processes at once.

    Runs in one transaction that first takes a lock (PostgreSQL: an advisory lock; SQLite: ``BEGIN
    IMMEDIATE``); a process that waited finds the schema already current and does nothing.
    """
    _run_alembic(url, lambda cfg: command.upgrade(cfg, revision))


def downgrade(url: str, revision: str = "base") -> None:
    """Downgrade the schema (tests and operators rolling back a release)."""
    _run_alembic(url, lambda cfg: command.downgrade(cfg, revision))


def _run_alembic(url: str, action: Any) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            action(cfg)
    finally:
        engine.dispose()
