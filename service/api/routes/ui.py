"""Mounts the web UI on the app: its routers, static files, error pages and security headers.

``create_app`` calls ``install`` once; everything UI-specific stays behind this one line.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from service.api import errors
from service.api.routes import (
    ui_account,
    ui_auth,
    ui_calls,
    ui_legal_hold,
    ui_privacy,
    ui_privacy_items,
    ui_qa,
    ui_users,
)
from service.ui.error_pages import domain_error_page
from service.ui.security import UiSecurityHeaders
from service.ui.web import STATIC_DIR, LoginRequired, PasswordChangeRequired, UiError, render


def install(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    for module in (ui_auth, ui_account, ui_calls, ui_qa, ui_users, ui_privacy, ui_legal_hold, ui_privacy_items):
        app.include_router(module.router)
    app.add_middleware(UiSecurityHeaders)
    errors.add_page_renderer(app, domain_error_page)  # domain errors on pages: the error page, not JSON

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/ui/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _must_change(_request: Request, _exc: PasswordChangeRequired) -> Response:
        return RedirectResponse("/ui/account/password", status_code=303)

    @app.exception_handler(UiError)
    async def _error(request: Request, exc: UiError) -> HTMLResponse:
        return render(request, "error.html", {"message": exc.key, "status": exc.status}, user=exc.user,
                      status=exc.status)
