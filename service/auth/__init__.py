"""Browser authentication for the QA web UI: signed session cookies, CSRF tokens, password login.

Scripts keep using personal bearer tokens (``service.store.repo_users``); people in a browser log in with a
password and get a session cookie. Both resolve to the same named user, checked on every request, so a
disabled account stops working everywhere at once. ``deps`` holds the request dependencies both front doors
share (the worker context, a database session per request).
"""

from service.auth.browser import (
    Authenticated,
    CsrfRefused,
    authenticate,
    check_csrf,
    clear_session,
    csrf_token,
    login_csrf,
    set_login_nonce,
    start_session,
)

__all__ = ["Authenticated", "CsrfRefused", "authenticate", "check_csrf", "clear_session", "csrf_token",
           "login_csrf", "set_login_nonce", "start_session"]
