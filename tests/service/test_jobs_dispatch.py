"""``service.jobs.dispatch``: a committed job wakes the embedded runner, or goes to Celery, or waits."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from service.jobs import celery_app
from service.jobs.dispatch import dispatch


class _Runner:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def _ctx(queue: str) -> Any:
    return SimpleNamespace(settings=SimpleNamespace(queue=queue))


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    out: list[int] = []
    monkeypatch.setattr(celery_app, "enqueue_job", lambda _settings, job_id: out.append(job_id) or True)
    return out


def test_a_runner_in_this_process_is_woken(sent: list[int]) -> None:
    runner = _Runner()
    dispatch(_ctx("embedded"), 7, runner)
    assert runner.woken == 1 and sent == []


def test_celery_mode_enqueues_the_job(sent: list[int]) -> None:
    dispatch(_ctx("celery"), 7)
    assert sent == [7]
    dispatch(_ctx("celery"), None)
    assert sent == [7], "no job id, nothing to send"


def test_embedded_without_worker_threads_leaves_the_job_queued(sent: list[int]) -> None:
    dispatch(_ctx("embedded"), 7)
    assert sent == []
