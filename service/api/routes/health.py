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
    """The database answers and the ASR model is in place; 503 otherwise."""
    checks: dict[str, Any] = {}
    try:
        with ctx.db.session() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = type(exc).__name__
    checks["model"] = _model_check(ctx.settings)
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
