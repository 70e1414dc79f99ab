"""``GET /metrics`` (Prometheus text format) and the counter of webhook answers by HTTP status.

The webhook counter is ASGI middleware rather than a line in the route: most answers (401 bad signature,
413, 422) leave the route as exceptions and become responses in the error handlers, and a counter there
would miss them. Only ``POST /v1/calls`` is counted, by status code — never a path, header or body.

Who may scrape (review #19): job counts, webhook answers and entity counts describe the traffic, so in production
(or whenever ``PUHETURVA_METRICS_TOKEN`` is set) ``/metrics`` wants ``Authorization: Bearer <metrics token>``
or an admin's own token or session. A development server is loopback-only (``service.platform.exposure``) and
stays open.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from service.api.deps import CtxDep, current_user
from service.api.errors import ApiError
from service.auth.browser import bearer_token
from service.jobs import metrics

router = APIRouter(tags=["metrics"])
WEBHOOK_PATH = "/v1/calls"


def metrics_reader(request: Request, ctx: CtxDep) -> None:
    """Admit the scraper's token or an admin; 401/403 otherwise (nothing to check on a development server)."""
    settings = ctx.settings
    token = getattr(settings, "metrics_token", None)
    secret = token.get_secret_value() if token is not None else ""  # empty (compose's default): admins only
    if token is None and getattr(settings, "environment", "development") != "production":
        return
    presented = bearer_token(request)
    if secret and presented and hmac.compare_digest(presented.encode(), secret.encode()):
        return
    with ctx.db.session() as session:
        user = current_user(request, session)  # 401 without a valid personal token or session
    if user.role != "admin":
        raise ApiError(403, "forbidden", "metrics are for the metrics token or an admin")


@router.get("/metrics", include_in_schema=False)
async def scrape(request: Request, ctx: CtxDep, _reader: Annotated[None, Depends(metrics_reader)]) -> Response:
    """Counters and histograms (the embedded worker processes' added in), and, read now from the database,
    jobs by state and the queue's depth and oldest wait."""
    pool = getattr(request.app.state, "runner", None)
    worker_dir = getattr(pool, "extra_metrics_dir", None)
    body = await run_in_threadpool(metrics.render, ctx.db, worker_dir)
    return Response(body, media_type=metrics.CONTENT_TYPE)


class WebhookStatusCounter:
    """Pure ASGI middleware (no body buffering): counts the status of every ``POST /v1/calls``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != WEBHOOK_PATH:
            await self.app(scope, receive, send)
            return
        status = 500  # what the client sees if the app dies before answering

        async def send_and_note(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            metrics.webhook_answered(status)


def install(app: FastAPI) -> None:
    """Mount ``/metrics`` and the webhook counter on ``app``."""
    app.include_router(router)
    app.add_middleware(WebhookStatusCounter)
