"""Completion callbacks: tell the telephony client a call is processed, signed like its webhooks.

Best effort with a short timeout and a few retries; the status URL stays the source of truth, so a lost
callback costs the client one poll, never data.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import httpx

from service.calls.call_urls import api_status_url
from service.platform.signing import CALLBACK_ID_PREFIX, signed_headers

log = logging.getLogger(__name__)
ATTEMPTS = 3


def notify_completion(ctx: Any, call_id: uuid.UUID) -> bool:
    """POST ``{"call_id", "status", "status_url"}`` to the client's callback URL, if it has one."""
    from service.store.models import Call

    with ctx.db.session() as s:
        call = s.get(Call, call_id)
        if call is None:
            return False
        client = ctx.settings.client(call.client)
        external_id, status, client_name = call.external_id, call.status, call.client
    if client is None or not client.callback_url:
        return False
    body = json.dumps({"type": "call.processed", "call_id": external_id, "status": status,
                       "status_url": api_status_url(external_id, client_name)}).encode()
    headers = {**signed_headers(client.secret.get_secret_value(), f"{CALLBACK_ID_PREFIX}{uuid.uuid4().hex}", body),
               "content-type": "application/json"}
    for attempt in range(ATTEMPTS):
        try:
            r = httpx.post(client.callback_url, content=body, headers=headers, timeout=5.0)
            if r.status_code < 300:
                return True
            log.warning("callback for call %s: HTTP %s", call_id, r.status_code)
        except httpx.HTTPError as exc:
            log.warning("callback for call %s failed: %s", call_id, type(exc).__name__)
        time.sleep(0.5 * 2 ** attempt)
    return False
