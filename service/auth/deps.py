"""Request dependencies both front doors share: the worker context and a database session per request.

Why not in ``service.api.deps``: the web UI (``service.ui``) needs them too, and the UI helpers must not depend
on the HTTP API package (the API's routes depend on the UI). ``service.api.deps`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.jobs.context import WorkerContext


def get_ctx(request: Request) -> WorkerContext:
    ctx: WorkerContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[WorkerContext, Depends(get_ctx)]


def get_session(ctx: CtxDep) -> Iterator[Session]:
    """The request's session. Entered and left in two threadpool calls (maybe two threads), hence no turn."""
    with ctx.db.session(take_turn=False) as s:
        yield s


SessionDep = Annotated[Session, Depends(get_session)]
