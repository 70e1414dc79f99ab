"""The public URL of a call: its telephony id, and the telephony client's name where it is needed.

Calls are unique per (client, call id), so the id alone can be ambiguous (review finding #13). The default
client's API URLs stay bare, as they were before clients existed; the UI always names the client.
"""

from __future__ import annotations

from urllib.parse import quote

from service.platform.config import DEFAULT_CLIENT_NAME


def call_url(prefix: str, external_id: str, client: str, *, always: bool = True, suffix: str = "") -> str:
    """``<prefix>/<id><suffix>`` plus ``?client=`` always (``always``) or only for a non-default client."""
    url = f"{prefix}/{quote(external_id, safe='')}{suffix}"
    return f"{url}?client={quote(client, safe='')}" if always or client != DEFAULT_CLIENT_NAME else url


def api_status_url(external_id: str, client: str) -> str:
    """What the webhook's 202 and the completion callback give the telephony system to poll."""
    return call_url("/v1/calls", external_id, client, always=False)
