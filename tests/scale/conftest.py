"""A small Celery deployment per test: real PostgreSQL (a fresh schema), a real broker (Redis or RabbitMQ),
the API in-process, and ``puheturva worker`` processes as subprocesses in their own process groups.

Every test gets its own schema, data directory and broker queue name, so runs (and other sessions sharing
the broker) never see each other's messages or rows. Skipped, with the reason, when a service is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.pg import fresh_schema_url
from tests.scale.cluster import PG_ENV, Cluster, service_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scale: Celery workers as processes against PostgreSQL and a broker")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose ``search_path`` is a schema made for this test (dropped afterwards)."""
    with fresh_schema_url(service_url(PG_ENV)) as url:
        yield url


@pytest.fixture
def make_cluster(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def _make(broker_url: str, **extra_env: str) -> Cluster:
        cluster = Cluster(tmp_path, pg_url, broker_url, monkeypatch, **extra_env)
        made.append(cluster)
        return cluster

    yield _make
    for cluster in made:
        cluster.stop()
