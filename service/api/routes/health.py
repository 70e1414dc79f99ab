"""Liveness and readiness probes (used by the container healthcheck and orchestrators)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.deps import CtxDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: CtxDep) -> JSONResponse:
    """The database answers, the ASR model is in place (and, as configured, the broker and the S3 bucket
    answer); 503 otherwise.

    Anyone can ask, so the answer names no exception class (review #19); production says only ready or not,
    a (loopback-only) development server also which check failed. The log names the failing checks.
    """
    checks: dict[str, Any] = {}
    try:
        with ctx.db.session() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("readiness: database check failed: %s", type(exc).__name__)
        checks["database"] = "unavailable"
    checks["model"] = _model_check(ctx.settings)
    if getattr(ctx.settings, "queue", "embedded") == "celery":
        from service.jobs.celery_app import broker_check

        broker = broker_check(ctx.settings)
        if broker != "ok":
            log.warning("readiness: broker check failed: %s", broker)
        checks["broker"] = "ok" if broker == "ok" else "unavailable"
    if getattr(ctx.settings, "blob_backend", "local") == "s3":
        checks["blobstore"] = _blobstore_check(ctx.blobs)
    ok = all(v == "ok" for v in checks.values())
    body: dict[str, Any] = {"status": "ok" if ok else "unavailable"}
    if not ok:
        log.warning("readiness: not ready (%s)", ", ".join(k for k, v in checks.items() if v != "ok"))
    if getattr(ctx.settings, "environment", "development") != "production":
        body["checks"] = checks
    return JSONResponse(body, status_code=200 if ok else 503)


def _model_check(settings: Any) -> str:
    from pathlib import Path

    from models.default_model import ModelIntegrityError, default_model_dir, verify

    try:
        if settings.asr_model == "default":
            verify(default_model_dir())
        elif not (Path(settings.asr_model) / "model.bin").is_file():
            return "model.bin missing"
    except ModelIntegrityError:
        return "model integrity check failed"
    return "ok"


def _blobstore_check(blobs: Any) -> str:
    from service.platform.blobstore import BlobError

    try:
        blobs.check()
    except BlobError as exc:
        log.warning("readiness: blob store check failed: %s", type(exc).__name__)
        return "unavailable"
    return "ok"
