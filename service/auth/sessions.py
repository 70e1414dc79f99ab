"""The browser session as a signed cookie, and the CSRF tokens bound to it. No request objects here.

The cookie carries the user id, the time it was issued, a random session id and a *user version*: a digest
of the user's password hash. Changing the password changes the version, so every older cookie stops
working; disabling the user is caught because the user row is read on every request anyway. The signature
alone cannot end a session before it expires, so the session id must also name an open row of
``service.store.repo_sessions`` (logout, idle timeout). Nothing in the cookie is secret (it is signed, not
encrypted) and nothing in it is personal data beyond the user id.

The signing key is derived from the blob encryption key (HMAC with a fixed label), so a deployment has no
extra secret to manage and a production deployment, which must set that key, never signs with a generated
one. Rotating the encryption key logs everybody out, which is the right side to err on.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_MAX_AGE_S = 12 * 3600  # one working day; a new login after that
LOGIN_NONCE_MAX_AGE_S = 3600
_KEY_LABEL = b"puheturva/ui-session/v1"


def new_sid() -> str:
    """A fresh random session id (128 bits): new on every login, so a planted id is never adopted."""
    return secrets.token_urlsafe(16)


def derive_key(master: bytes) -> bytes:
    """The session signing key: independent of ``master`` for every other use (blobs, subject index)."""
    return hmac.new(master, _KEY_LABEL, hashlib.sha256).digest()


def user_version(user_id: int, password_hash: str | None) -> str:
    """Changes whenever the password does: a session remembers the version it was issued under."""
    material = f"{user_id}|{password_hash or ''}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


@dataclass(frozen=True)
class BrowserSession:
    """What a valid session cookie says. ``sid`` binds the CSRF token to this one login."""

    user_id: int
    issued_at: int
    version: str
    sid: str


class SessionCodec:
    """Signs and reads session cookies and login nonces; computes CSRF tokens for either."""

    def __init__(self, key: bytes, max_age_s: int = SESSION_MAX_AGE_S) -> None:
        self._key = key
        self.max_age_s = max_age_s
        self._sessions = URLSafeTimedSerializer(key, salt="puheturva.session")
        self._nonces = URLSafeTimedSerializer(key, salt="puheturva.login-nonce")

    def issue(self, user_id: int, password_hash: str | None, sid: str | None = None) -> str:
        """A signed cookie value for a login whose server-side row is keyed by ``sid`` (random if None)."""
        payload = {"u": user_id, "t": int(time.time()), "v": user_version(user_id, password_hash),
                   "s": sid or new_sid()}
        return self._sessions.dumps(payload)

    def read(self, cookie: str) -> BrowserSession | None:
        """The session a cookie carries; None when forged, expired or malformed."""
        try:
            data = self._sessions.loads(cookie, max_age=self.max_age_s)
            return BrowserSession(user_id=int(data["u"]), issued_at=int(data["t"]), version=str(data["v"]),
                                  sid=str(data["s"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def new_login_nonce(self) -> str:
        """A signed random value for the login form's CSRF cookie (there is no session yet to bind to)."""
        return self._nonces.dumps(secrets.token_urlsafe(16))

    def read_login_nonce(self, cookie: str) -> str | None:
        try:
            value = self._nonces.loads(cookie, max_age=LOGIN_NONCE_MAX_AGE_S)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def csrf_for(self, binding: str) -> str:
        """The CSRF token of a session id or a login nonce: an HMAC, so no page can forge a valid one."""
        return hmac.new(self._key, b"csrf|" + binding.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, binding: str, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf_for(binding), submitted or "")
