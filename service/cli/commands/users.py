"""``puheturva users``: named people with roles and personal API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.cli.commands.database import cli_actor, cli_detail, open_db
from service.privacy import audit
from service.store import repo_users
from service.store.kinds import Role

app = typer.Typer(help="Users: add, list, change role, disable.", no_args_is_help=True)


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="Login name of the person")],
        role: Annotated[Role, typer.Option(help="Role")] = Role.QA_REVIEWER) -> None:
    """Create a user and print their personal API token (shown once; only its hash is stored)."""
    db = open_db()
    try:
        with db.session() as s:
            user, token = repo_users.create_user(s, name, role)
            audit.record(s, cli_actor(), "admin", "user.add", "user", str(user.id),
                         {"role": role.value, **cli_detail()})
    except repo_users.UserExists:
        typer.echo("error: a user with that name exists", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(f"created {name} ({role.value}). API token (shown once, keep it safe):")
    typer.echo(token)


@app.command("list")
def list_() -> None:
    """List users, their roles and whether they are disabled."""
    db = open_db()
    with db.session() as s:
        users = [(u.name, u.role, u.disabled, u.created_at) for u in repo_users.list_users(s)]
    db.dispose()
    table = Table("name", "role", "status", "created")
    for name, role, disabled, created in users:
        table.add_row(name, role, "disabled" if disabled else "active", created.isoformat(timespec="seconds"))
    Console().print(table)


@app.command("role")
def role_(name: Annotated[str, typer.Argument(help="Login name")],
          role: Annotated[Role, typer.Option(help="The new role")]) -> None:
    """Change a user's role; their browser sessions end (the privacy-officer role is granted only here)."""
    db = open_db()
    try:
        with db.session() as s:
            old = repo_users.set_role(s, name, role)
            user = repo_users.get_user(s, name)
            audit.record(s, cli_actor(), "admin", "user.role", "user", str(user.id if user else ""),
                         {"from": old, "to": role.value, **cli_detail()})
    except repo_users.UserNotFound:
        typer.echo("error: no such user", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(f"{name}: {old} -> {role.value}; browser sessions ended")


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Disable a user and revoke all their tokens."""
    db = open_db()
    try:
        with db.session() as s:
            revoked = repo_users.disable_user(s, name)
            user = repo_users.get_user(s, name)
            audit.record(s, cli_actor(), "admin", "user.disable", "user", str(user.id if user else ""),
                         {"tokens_revoked": revoked, **cli_detail()})
    except repo_users.UserNotFound:
        typer.echo("error: no such user", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(f"disabled {name}; revoked {revoked} token(s)")
