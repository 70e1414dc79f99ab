"""Demo mode (``make run``): a newcomer lands on a working service with the sample call already queued.

Never active in a configured deployment: production settings refuse ``demo``.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from models.audio import decode
from service.api.schemas import CallMetadata
from service.config import DEFAULT_CLIENT_NAME
from service.ingest import accept_call
from service.store.repo_calls import find_call
from service.store.repo_users import create_user, get_user, issue_token, set_password

log = logging.getLogger(__name__)
SAMPLE = Path(__file__).resolve().parent / "demo_data" / "sample_call.flac"
SAMPLE_META = {"call_id": "demo-0001", "direction": "inbound", "queue": "tekninen-tuki", "agent_id": "agent-7",
               "channels": {"0": "agent", "1": "customer"}, "started_at": "2026-11-02T09:15:00+02:00"}
DEMO_USERS = (("demo-reviewer", "qa_reviewer"), ("demo-privacy", "privacy_officer"), ("demo-admin", "admin"))


def seed(ctx: Any) -> list[tuple[str, str, str, str]]:
    """Queue the sample call (once) and create demo users with fresh passwords and tokens.

    Returns ``(name, role, password, token)`` rows for printing on the console of the person who ran
    ``make run``; they are valid for this demo data directory only.
    """
    if SAMPLE.exists():
        with ctx.db.session() as s:
            present = find_call(s, DEFAULT_CLIENT_NAME, SAMPLE_META["call_id"]) is not None
        if not present:
            data = SAMPLE.read_bytes()
            accept_call(ctx.db, ctx.blobs, ctx.settings, client=DEFAULT_CLIENT_NAME, webhook_id="demo-seed",
                        meta=CallMetadata.model_validate(SAMPLE_META), audio_bytes=data, audio=decode(data))
    rows = []
    with ctx.db.session() as s:
        for name, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user = get_user(s, name)
            if user is None:
                user, token = create_user(s, name, role)
            else:
                token = issue_token(s, user)
            set_password(s, name, password)
            rows.append((name, role, password, token))
    return rows
