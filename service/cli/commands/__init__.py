"""Typer sub-apps mounted by ``service.cli``: ``register``, ``retention``, ``audit``, ``users``.

Each command opens the database named by the settings and migrates it first, so a command works on a
fresh machine and never against an old schema.
"""

from service.cli.commands.audit import app as audit_app
from service.cli.commands.register import app as register_app
from service.cli.commands.retention import app as retention_app
from service.cli.commands.users import app as users_app

__all__ = ["audit_app", "register_app", "retention_app", "users_app"]
