"""``puheturva items``: the privacy officer's queue of requests said in calls (list, confirm, reject).

Acts as ``cli:<os user>`` in the privacy-officer role, on the same rows and audit log as the API and UI
(``service.privacy.rights_items``). Confirming a marketing choice also sends the signed
``marketing_choice.verified`` callback to the call's client.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from service.calls.callbacks import notify_marketing_choice
from service.cli.commands.database import cli_actor, open_db
from service.platform.blobstore_factory import blobstore_from_settings
from service.platform.config import get_settings
from service.platform.errors import DomainError
from service.privacy import rights_items
from service.store.models import VERIFICATION_METHODS

app = typer.Typer(help="Requests said in calls, waiting for a privacy officer.", no_args_is_help=True)
ROLE = "privacy_officer"


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(f"error: {exc.code}: {exc}", err=True)
    return typer.Exit(2)


@app.command("list")
def list_items(status: Annotated[str, typer.Option(help="pending, confirmed, rejected or all")] = "pending",
               limit: Annotated[int, typer.Option(min=1, max=500)] = 50) -> None:
    """Items oldest first, one JSON object a line, with their evidence (call, turn, time range, cue words)."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                items = rights_items.list_items(s, status=None if status == "all" else status, limit=limit)
            except DomainError as exc:
                raise _fail(exc) from None
            for item in items:
                typer.echo(json.dumps(item.to_dict(), ensure_ascii=False))
    finally:
        db.dispose()


@app.command("confirm")
def confirm(item_id: int,
            verification_method: Annotated[str | None, typer.Option(
                help=f"Rights requests: how identity was verified ({', '.join(VERIFICATION_METHODS)})")] = None,
            verification: Annotated[str | None, typer.Option(
                help="Rights requests: reference to the verification evidence (no identifiers)")] = None,
            note: Annotated[str | None, typer.Option(help="Free text (no identifiers)")] = None) -> None:
    """Confirm an item: a rights request opens a subject request, a marketing choice is verified."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                d = rights_items.confirm(s, blobstore_from_settings(), item_id, actor=cli_actor(), role=ROLE,
                                         verification_method=verification_method, verification=verification,
                                         note=note)
            except DomainError as exc:
                raise _fail(exc) from None
            choice = rights_items.get_choice(s, d.choice_id) if d.choice_id is not None else None
            doc = rights_items.choice_document(choice) if choice is not None else None
    finally:
        db.dispose()
    if doc is not None:
        notify_marketing_choice(get_settings(), doc)
    typer.echo(json.dumps({**d.item.to_dict(), "subject_request": str(d.request_id) if d.request_id else None,
                           "marketing_choice": d.choice_id}, ensure_ascii=False))


@app.command("reject")
def reject(item_id: int, reason: Annotated[str, typer.Option(help="Why it is not acted on (no identifiers)")]
           ) -> None:
    """Reject an item with a reason."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                item = rights_items.reject(s, item_id, reason=reason, actor=cli_actor(), role=ROLE)
            except DomainError as exc:
                raise _fail(exc) from None
            typer.echo(json.dumps(item.to_dict(), ensure_ascii=False))
    finally:
        db.dispose()
