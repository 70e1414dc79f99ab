"""Completion callbacks: tell the telephony client a call is processed, signed like its webhooks.

Best effort with a short timeout and a few retries; the status URL stays the source of truth, so a lost
callback costs the client one poll, never data.

Two events: ``call.processed`` (with the call's direct-marketing choices and their status, so the client's
CRM learns of a verified prohibition with the call) and ``marketing_choice.verified`` (sent when a privacy
officer verifies one after the call was processed; ``GET /v1/marketing-choices?since=`` is the source of
truth for both).
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
    """POST ``{"type", "call_id", "status", "status_url", "marketing_choices"}`` to the client's callback URL,
    if it has one."""
    from service.privacy.rights_items import choices_of_call
    from service.store.models import Call

    with ctx.db.session() as s:
        call = s.get(Call, call_id)
        if call is None:
            return False
        external_id, status, client_name = call.external_id, call.status, call.client
        choices = choices_of_call(s, call_id)
    body = {"type": "call.processed", "call_id": external_id, "status": status,
            "status_url": api_status_url(external_id, client_name), "marketing_choices": choices}
    return _post(ctx.settings, client_name, body, f"call {call_id}")


def notify_marketing_choice(settings: Any, choice: dict[str, Any]) -> bool:
    """POST ``{"type": "marketing_choice.verified", "marketing_choice": choice}`` to the source call's client.

    ``choice`` is ``rights_items.choice_document`` of the committed choice (read by the caller, so that this
    runs after the response without a database session of its own)."""
    return _post(settings, choice["client"], {"type": "marketing_choice.verified", "marketing_choice": choice},
                 f"marketing choice {choice['id']}")


def _post(settings: Any, client_name: str, payload: dict[str, Any], what: str) -> bool:
    client = settings.client(client_name)
    if client is None or not client.callback_url:
        return False
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {**signed_headers(client.secret.get_secret_value(), f"{CALLBACK_ID_PREFIX}{uuid.uuid4().hex}", body),
               "content-type": "application/json"}
    for attempt in range(ATTEMPTS):
        try:
            r = httpx.post(client.callback_url, content=body, headers=headers, timeout=5.0)
            if r.status_code < 300:
                return True
            log.warning("callback for %s: HTTP %s", what, r.status_code)
        except httpx.HTTPError as exc:
            log.warning("callback for %s failed: %s", what, type(exc).__name__)
        time.sleep(0.5 * 2 ** attempt)
    return False
