"""The FastAPI application: routes, error mapping, the webhook's queue gate, and (embedded mode) the supervised
worker processes and the retention sweeper."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from models.audio_sandbox import sandbox
from service.api import errors
from service.api.headers import DOCS_STATIC_URL, ApiSecurityHeaders
from service.api.routes import audio_stream, calls, health, privacy_workbench, ui, webhooks
from service.api.routes import metrics as metrics_route
from service.api.routes import rights_items as rights_items_route
from service.api.routes import subjects as subjects_route
from service.jobs.backpressure import QueueGate, QueueLimits
from service.jobs.context import WorkerContext, context_from_settings
from service.jobs.worker_process import WorkerPool
from service.platform.config import Settings, get_settings

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 3600.0


def create_app(settings: Settings | None = None, *, workers: bool = True, ctx: WorkerContext | None = None
               ) -> FastAPI:
    """Build the app. ``workers=False`` serves HTTP only (tests, or Celery mode where workers run apart).

    The worker processes load the models themselves, from ``settings``; a ``ctx`` given here (a test's
    database or blob store) serves the API only."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _check_config()
        # Start the decoder sandbox's forkserver now, off the event loop: the first webhook would wait ~0.3 s.
        threading.Thread(target=_warm_decoder, daemon=True, name="puheturva-decoder-warm-up").start()
        app.state.ctx = ctx or context_from_settings(settings)
        app.state.runner = None
        if settings.demo:
            _announce_demo(app.state.ctx)
        app.state.queue_gate = QueueGate(app.state.ctx.db, QueueLimits(settings.max_queue_depth,
                                                                        settings.max_queue_age_s))
        stop = threading.Event()
        if workers and settings.queue == "embedded" and settings.worker_processes > 0:
            # Processes of their own, at lower priority: this one never loads the models (issue 15).
            app.state.runner = WorkerPool(settings, settings.worker_processes, nice=settings.worker_nice).start()
        if workers and settings.queue == "embedded":  # with or without worker threads (review #12)
            threading.Thread(target=_sweeper, args=(app.state.ctx, stop), daemon=True,
                             name="puheturva-sweeper").start()
        try:
            yield
        finally:
            stop.set()
            if app.state.runner is not None:
                app.state.runner.stop()
            if ctx is None:
                app.state.ctx.db.dispose()

    app = _fastapi(settings, title="Puheturva", version="0.1.0", lifespan=lifespan,
                   description="Privacy processor for Finnish call recordings: signed webhook in, redacted "
                               "transcripts, audio, classifications, provenance and retention tags out.")
    errors.install(app)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(calls.router)
    app.include_router(audio_stream.router)  # the listening copy (Ogg/Opus by ranges) for the player
    app.include_router(subjects_route.router)  # data-subject requests (privacy officers)
    app.include_router(privacy_workbench.router)  # legal holds, attaching calls, erasure previews
    app.include_router(rights_items_route.router)  # requests said in calls (privacy officers)
    app.include_router(rights_items_route.choices_router)  # verified marketing choices (CRM)
    metrics_route.install(app)  # GET /metrics and the webhook status counter
    ui.install(app)  # the QA web UI: its routers, static files, error pages, security headers
    app.add_middleware(ApiSecurityHeaders)  # the same protections on every non-UI answer
    return app


def _fastapi(settings: Settings, **kwargs: Any) -> FastAPI:
    """The app object. Outside production ``/docs`` and ``/redoc`` serve Swagger UI and ReDoc from assets packaged
    with ``fastapi-offline`` (under ``/docs/static``): no CDN, no web fonts, so they work offline (review J6).
    In production there are no docs at all: the schema maps every route for anyone who can reach the port
    (review #19)."""
    if settings.environment == "production":
        return FastAPI(docs_url=None, redoc_url=None, openapi_url=None, **kwargs)
    return FastAPIOffline(static_url=DOCS_STATIC_URL, swagger_ui_parameters={"validatorUrl": None}, **kwargs)


def _warm_decoder() -> None:
    try:
        sandbox().warm_up()
    except Exception as exc:  # a cold start only costs the first upload some latency
        log.warning("decoder sandbox not warmed up (%s)", type(exc).__name__)


def _announce_demo(ctx: WorkerContext) -> None:
    from service.calls.demo import announce

    print(announce(ctx), flush=True)  # account names and the 0600 credentials file, never a secret


def _check_config() -> None:
    """Refuse to start on an invalid register, retention or scorecard file (the notice and the system must
    agree; a reviewer must not meet a broken scorecard on their first submit)."""
    from service.calls.scorecard import get_scorecard
    from service.privacy.register import get_register
    from service.privacy.retention import get_retention

    get_register()
    get_retention()
    get_scorecard()


def _sweeper(ctx: WorkerContext, stop: threading.Event) -> None:
    """Sweep at start-up, then every ``SWEEP_EVERY_S``: an API restarted more often than hourly still
    deletes what has expired."""
    from service.privacy.retention import sweep

    while not stop.is_set():
        try:
            with ctx.db.session() as s:
                sweep(s, ctx.blobs)
        except Exception as exc:
            log.error("retention sweep failed: %s", type(exc).__name__)
        stop.wait(SWEEP_EVERY_S)


def app_from_env() -> Any:
    """Uvicorn factory: ``uvicorn --factory service.api.app:app_from_env``."""
    from service.platform.private_files import restrict_umask

    restrict_umask()  # plain uvicorn skips the CLI, which does this for ``puheturva serve``
    return create_app()
