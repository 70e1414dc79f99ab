"""Sessions on one database: readers that never wait for a writer, and writers of one process in turn.

On SQLite, every writing transaction is ``BEGIN IMMEDIATE`` (see ``service/store/db.py``); these tests pin down
what ``Database.read_session`` and the process's turn add to that, on real SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from service.store.db import Database
from service.store.models import Call
from service.store.records import CallMeta
from service.store.repo_calls import create_call_with_job, find_call


def _add_call(db: Database, external_id: str) -> uuid.UUID:
    with db.session() as s:
        return create_call_with_job(s, client="default", external_id=external_id, audio_sha256="a" * 64,
                                    meta=CallMeta()).call.id


def test_a_reader_sees_the_last_commit_while_a_writer_holds_its_transaction(db: Database) -> None:
    _add_call(db, "committed")
    writing, release, read_done = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def writer() -> None:
        with db.session() as s:
            create_call_with_job(s, client="default", external_id="pending", audio_sha256="b" * 64,
                                 meta=CallMeta())
            s.flush()  # the write lock is held from here until the scope ends
            writing.set()
            release.wait(30)

    def reader() -> None:
        with db.read_session() as s:
            seen.append(find_call(s, "default", "committed"))
            seen.append(find_call(s, "default", "pending"))
        read_done.set()

    w = threading.Thread(target=writer)
    w.start()
    assert writing.wait(30)
    r = threading.Thread(target=reader)
    r.start()
    finished_while_writing = read_done.wait(10)  # a reader queued behind the writer would still be waiting
    release.set()
    w.join(30)
    r.join(30)
    assert finished_while_writing
    assert seen[0] is not None and seen[1] is None  # the last commit, not the open transaction


def test_many_threads_writing_at_once_all_commit(db: Database) -> None:
    ids = [f"turn-{n}" for n in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        created = list(pool.map(lambda ext: _add_call(db, ext), ids))
    assert len(set(created)) == len(ids)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == len(ids)


def test_a_read_inside_a_writing_scope_of_the_same_thread_does_not_wait_for_it(db: Database) -> None:
    _add_call(db, "outer")
    with db.session() as outer:
        create_call_with_job(outer, client="default", external_id="inner", audio_sha256="c" * 64, meta=CallMeta())
        outer.flush()
        with db.read_session() as inner:  # would wait for ``outer`` (and fail after the busy timeout) if it locked
            assert find_call(inner, "default", "outer") is not None
            assert find_call(inner, "default", "inner") is None


def test_a_scope_left_on_another_thread_than_it_was_entered_releases_its_database(db: Database) -> None:
    # FastAPI runs a yield dependency's enter and exit in separate threadpool calls: the request's session
    # scope must survive that, and writers after it must not wait for a turn nobody can give back.
    scope = db.session(take_turn=False)
    entered: list[object] = []
    t = threading.Thread(target=lambda: entered.append(scope.__enter__()))
    t.start()
    t.join(30)
    find_call(entered[0], "default", "nothing")  # type: ignore[arg-type]  # the Session the scope yielded
    t = threading.Thread(target=lambda: scope.__exit__(None, None, None))
    t.start()
    t.join(30)
    done = threading.Event()
    threading.Thread(target=lambda: (_add_call(db, "after"), done.set()), daemon=True).start()
    assert done.wait(10)
