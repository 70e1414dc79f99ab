"""``puheturva audit``: verify the keyed hash chain (and its anchor), re-key an old chain, show recent entries."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.cli.commands.database import cli_actor, open_db
from service.privacy import audit

app = typer.Typer(help="Audit log: verify the hash chain, show recent entries.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Check that no audit entry was edited, deleted or reordered (exit 1 if one was)."""
    db = open_db()
    with db.session() as s:
        res = audit.verify(s)
    db.dispose()
    console = Console()
    anchor = (f"anchored up to seq {res.anchored_seq}" if res.anchored_seq is not None
              else "no anchor for this database yet")
    if res.ok:
        # The head line is meant for an external append-only sink: compare it with the next run's.
        console.print(f"[green]OK[/green] {res.count} entries; head seq {res.head_seq} hash {res.head_hash}; "
                      f"{anchor}")
        return
    console.print(f"[red]BROKEN[/red] at seq {res.bad_seq}: {res.problem} "
                  f"({res.count} entries verified before it)")
    raise typer.Exit(1)


@app.command("rekey")
def rekey() -> None:
    """Re-chain entries written before the audit key with it, once, after checking them (exit 1 if refused)."""
    db = open_db()
    try:
        with db.session() as s:
            n = audit.rekey(s)
            audit.record(s, cli_actor(), "system", "audit.rekey", "audit_log", None, {"entries": n})
    except audit.AuditChainBroken as exc:
        Console().print(f"[red]REFUSED[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    Console().print(f"[green]OK[/green] re-keyed {n} entries")


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
