"""Opening the configured database from a command, and naming who ran it."""

from __future__ import annotations

import getpass

from service.config import get_settings
from service.store.db import Database, open_database


def open_db() -> Database:
    """Migrate and open the database of the current settings."""
    url = get_settings().database_url
    assert url is not None  # filled in by Settings
    return open_database(url)


def cli_actor() -> str:
    """The audit actor of a command: the operating-system account that ran it (a named person's login)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
