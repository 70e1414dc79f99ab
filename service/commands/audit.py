"""``puheturva audit``: verify the hash chain, show recent entries."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service import audit
from service.commands.database import open_db

app = typer.Typer(help="Audit log: verify the hash chain, show recent entries.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check that no audit entry was edited, deleted or reordered (exit 1 if one was)."""
    db = open_db()
    with db.session() as s:
        res = audit.verify(s)
    db.dispose()
    console = Console()
    if res.ok:
        console.print(f"[green]OK[/green] {res.count} entries; head seq {res.head_seq} hash {res.head_hash}")
        return
    console.print(f"[red]BROKEN[/red] at seq {res.bad_seq}: {res.problem} "
                  f"({res.count} entries verified before it)")
    raise typer.Exit(1)


@app.command("tail")
def tail(limit: Annotated[int, typer.Option(help="How many entries")] = 20) -> None:
    """Show the newest entries."""
    db = open_db()
    with db.session() as s:
        rows = audit.recent(s, limit)
    db.dispose()
    table = Table("seq", "at", "actor", "role", "action", "object")
    for e in reversed(rows):
        table.add_row(str(e.seq), e.at.isoformat(timespec="seconds"), e.actor, e.role, e.action,
                      f"{e.object_type}:{e.object_id or ''}")
    Console().print(table)
