"""The privacy officer's pages (data-subject requests, retention, the register). A guarded placeholder here;
the pages themselves are filled in by their own module. QA reviewers and user admins are refused.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from service.ui.web import UiPrivacyOfficer, render

router = APIRouter(prefix="/ui/privacy", include_in_schema=False)


@router.get("")
def privacy_home(request: Request, user: UiPrivacyOfficer) -> HTMLResponse:
    """Entry page of the privacy tools."""
    return render(request, "privacy.html", {}, user=user)
