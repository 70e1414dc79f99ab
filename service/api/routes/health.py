"""Liveness and readiness probes (used by the container healthcheck and orchestrators)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.deps import CtxDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ctx: CtxDep) -> JSONResponse:
    """The database answers, the ASR model is in place (and, as configured, the broker and the S3 bucket
    answer); 503 otherwise."""
    checks: dict[str, Any] = {}
    try:
        with ctx.db.session() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    checks["model"] = _model_check(ctx.settings)
    if getattr(ctx.settings, "queue", "embedded") == "celery":
        from service.jobs.celery_app import broker_check

        checks["broker"] = broker_check(ctx.settings)
    if getattr(ctx.settings, "blob_backend", "local") == "s3":
        checks["blobstore"] = _blobstore_check(ctx.blobs)
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


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
    from service.blobstore import BlobError

    try:
        blobs.check()
    except BlobError as exc:
        return type(exc).__name__
    return "ok"
