"""``GET /metrics`` (Prometheus text format) and the counter of webhook answers by HTTP status.

The webhook counter is ASGI middleware rather than a line in the route: most answers (401 bad signature,
413, 422) leave the route as exceptions and become responses in the error handlers, and a counter there
would miss them. Only ``POST /v1/calls`` is counted, by status code — never a path, header or body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from service import metrics
from service.api.deps import CtxDep

router = APIRouter(tags=["metrics"])
WEBHOOK_PATH = "/v1/calls"


@router.get("/metrics", include_in_schema=False)
async def scrape(ctx: CtxDep) -> Response:
    """Counters, histograms and (read now from the database) jobs by state."""
    body = await run_in_threadpool(metrics.render, ctx.db)
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
