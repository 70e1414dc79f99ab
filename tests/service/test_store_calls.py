"""Calls and webhook deliveries: idempotent creation (also under concurrent retries), reads, UTC times."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from service.store.db import Database
from service.store.models import Artefact, Call, Job, WebhookDelivery
from service.store.records import CallMeta
from service.store.repo_calls import (
    create_call_with_job,
    find_call,
    find_delivery,
    get_call_view,
    record_delivery,
    set_restricted,
)
from service.store.repo_listing import list_calls
from tests.service.conftest import NOW


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_retry_of_same_call_creates_nothing(session: Session, make_call) -> None:
    first = make_call(session, "c-1")
    res = create_call_with_job(session, client="default", external_id="c-1", audio_sha256="b" * 64,
                               meta=CallMeta())
    session.commit()
    assert res.created is False and res.call.id == first
    assert (_count(session, Call), _count(session, Job), _count(session, Artefact)) == (1, 1, 1)


def test_same_external_id_of_two_clients_is_two_calls(session: Session, make_call) -> None:
    a = make_call(session, "same", client="pbx-a")
    b = make_call(session, "same", client="pbx-b")
    assert a != b
    assert find_call(session, "pbx-b", "same").id == b


def test_concurrent_retries_create_one_call_and_one_job(db: Database) -> None:
    barrier = threading.Barrier(4)
    results: list[bool] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            with db.session() as s:
                barrier.wait()
                res = create_call_with_job(s, client="default", external_id="race", audio_sha256="c" * 64,
                                           meta=CallMeta())
                results.append(res.created)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    with db.session() as s:
        assert (_count(s, Call), _count(s, Job)) == (1, 1)


def test_delivery_recorded_once_first_response_wins(session: Session, make_call) -> None:
    call_id = make_call(session)
    assert find_delivery(session, "default", "msg_1") is None
    d, created = record_delivery(session, client="default", webhook_id="msg_1", call_id=call_id,
                                 status_code=202, response={"call_id": str(call_id)})
    session.commit()
    again, created2 = record_delivery(session, client="default", webhook_id="msg_1", call_id=None,
                                      status_code=500, response={})
    assert (created, created2) == (True, False)
    assert again.id == d.id and again.status_code == 202
    assert find_delivery(session, "default", "msg_1").response == {"call_id": str(call_id)}
    assert _count(session, WebhookDelivery) == 1


def test_concurrent_duplicate_delivery_is_stored_once(db: Database) -> None:
    barrier = threading.Barrier(3)
    created: list[bool] = []

    def deliver(code: int) -> None:
        with db.session() as s:
            barrier.wait()
            created.append(record_delivery(s, client="default", webhook_id="dup", call_id=None,
                                           status_code=code, response={"n": code})[1])

    threads = [threading.Thread(target=deliver, args=(200 + i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(created) == [False, False, True]
    with db.session() as s:
        assert _count(s, WebhookDelivery) == 1


def test_timestamps_come_back_utc_aware_and_naive_is_refused(session: Session) -> None:
    helsinki = timezone(timedelta(hours=2))
    started = datetime(2025, 1, 2, 10, 0, tzinfo=helsinki)
    res = create_call_with_job(session, client="default", external_id="tz", audio_sha256="d" * 64,
                               meta=CallMeta(started_at=started), now=NOW)
    session.commit()
    session.expire_all()
    call = session.get(Call, res.call.id)
    assert call.started_at == started and call.started_at.tzinfo == UTC
    assert call.started_at.hour == 8
    call.started_at = datetime(2025, 1, 2, 10, 0)  # naive
    with pytest.raises(StatementError):
        session.flush()


def test_call_view_and_restricted_calls_hidden_from_list(session: Session, make_call) -> None:
    a = make_call(session, "v-1")
    b = make_call(session, "v-2")
    set_restricted(session, b, True)
    session.commit()
    view = get_call_view(session, a)
    assert view is not None and view.call.id == a
    assert [x.kind for x in view.artefacts] == ["original_audio"]
    assert view.job is not None and view.job.state == "queued"
    assert get_call_view(session, uuid.uuid4()) is None
    assert [c.id for c in list_calls(session)] == [a]
    assert {c.id for c in list_calls(session, include_restricted=True)} == {a, b}
