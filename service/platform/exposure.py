"""Which settings a server may run with depends on who can reach it (review #2).

Development settings are a convenience for one machine: the public development webhook secret, keys generated
next to the data, demo accounts. Bound to loopback that is harmless; bound to ``0.0.0.0`` (the container
image, a misconfigured host) anyone who reaches the port could post recordings signed with the published secret.
So ``serve`` refuses a non-loopback interface unless the settings are production-grade, and names what to set.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from service.platform.config import DEV_WEBHOOK_SECRET, ConfigError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``; every other interface (``0.0.0.0`` above all) is exposed."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def development_shortcuts(settings: Any) -> list[str]:
    """The settings still on a development shortcut, by environment variable (empty: production-grade)."""
    shortcuts = [env for env, value in (("PUHETURVA_ENCRYPTION_KEY", settings.encryption_key),
                                        ("PUHETURVA_INDEX_KEY", settings.index_key),
                                        ("PUHETURVA_AUDIT_KEY", settings.audit_key)) if value is None]
    if any(c.secret.get_secret_value() == DEV_WEBHOOK_SECRET for c in settings.telephony_clients):
        shortcuts.insert(0, "PUHETURVA_WEBHOOK_SECRET")
    if settings.demo:
        shortcuts.append("PUHETURVA_DEMO (unset it)")
    return shortcuts


def check_bind(settings: Any, host: str) -> None:
    """Refuse to serve ``host`` beyond loopback on development shortcuts; the message says what to set."""
    if is_loopback(host):
        return
    shortcuts = development_shortcuts(settings)
    if not shortcuts:
        return
    raise ConfigError(
        f"refusing to serve on {host} (beyond loopback) with development settings: set "
        f"PUHETURVA_ENVIRONMENT=production and {', '.join(shortcuts)}, or bind --host 127.0.0.1")
