"""``puheturva retention``: sweep expired data, put calls under legal hold."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import typer

from service.calls.views import find_call_by_external_id
from service.cli.commands.database import cli_actor, open_db
from service.platform.blobstore_factory import blobstore_from_settings
from service.platform.errors import DomainError, NotFound
from service.privacy import legal_hold, retention
from service.store.models import Call

app = typer.Typer(help="Retention: sweep expired data, legal holds.", no_args_is_help=True)


@app.command("sweep")
def sweep(dry_run: Annotated[bool, typer.Option("--dry-run", help="Report, delete nothing")] = False) -> None:
    """Delete every artefact past its retention (skipping legal holds) and print a PII-free report."""
    retention.get_retention()  # fail early on an invalid policy file
    db = open_db()
    try:
        with db.session() as s:
            report = retention.sweep(s, blobstore_from_settings(), dry_run=dry_run)
    finally:
        db.dispose()
    typer.echo(json.dumps(report.to_dict(), indent=2))
    if report.errors:
        raise typer.Exit(1)


@app.command("hold")
def hold(call_id: Annotated[str, typer.Argument(help="The telephony system's call id (as the UI shows it)")],
         on: Annotated[bool, typer.Option("--on/--off", help="Put under legal hold, or lift it")],
         reason: Annotated[str, typer.Option("--reason", help="Why (a case number, a claim); no identifiers")],
         client: Annotated[str | None, typer.Option(
             "--client", help="The telephony client, when several used the same call id")] = None) -> None:
    """Put a call under legal hold (never swept, never erased) or lift the hold (admin); a policy's hold stays."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                call = _find_call(s, call_id, client)
                state = legal_hold.set_hold(s, call.id, on, reason=reason, actor=cli_actor(), role="admin")
            except NotFound:
                typer.echo("error: no such call", err=True)
                raise typer.Exit(1) from None
            except DomainError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(1) from None
            s.commit()
    finally:
        db.dispose()
    typer.echo(f"legal hold {'on' if on else 'off'} for call {state.call_id} (client {state.client})"
               + (" - a retention policy still holds it" if state.policy_hold and not on else ""))


def _find_call(session: Any, call_id: str, client: str | None) -> Any:
    """The call by its telephony id; an internal uuid is still accepted (older scripts)."""
    try:
        internal = uuid.UUID(call_id)
    except ValueError:
        internal = None
    if internal is not None and client is None:
        call = session.get(Call, internal)
        if call is not None:
            return call
    return find_call_by_external_id(session, call_id, include_restricted=True, client=client)
