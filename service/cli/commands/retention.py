"""``puheturva retention``: sweep expired data, put calls under legal hold."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer

from service.cli.commands.database import cli_actor, open_db
from service.platform.blobstore_factory import blobstore_from_settings
from service.privacy import retention

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
def hold(call_id: Annotated[uuid.UUID, typer.Argument(help="Call id (uuid)")],
         on: Annotated[bool, typer.Option("--on/--off", help="Put under legal hold, or lift it")]) -> None:
    """Put a call under legal hold (never swept, never erased) or lift the hold (admin)."""
    db = open_db()
    try:
        with db.session() as s:
            call = retention.set_legal_hold(s, call_id, on, actor=cli_actor(), role="admin")
    finally:
        db.dispose()
    if call is None:
        typer.echo("error: no such call", err=True)
        raise typer.Exit(1)
    typer.echo(f"legal hold {'on' if on else 'off'} for call {call_id}")
