"""The privacy officer's pages: data-subject requests (make one, see its receipt, download the export, add a
correction). QA reviewers and user admins are refused. The pages call the same domain code as
``/v1/subject-requests``, so a request made here is the same record, audit trail and receipt.

Identifier values typed into the form are never put back into a page, not even after an error: the officer
types them again. The strings of these pages live here (both languages side by side), not in the shared
UI catalogue, so the privacy tools can change without touching the rest of the UI.

An unknown request (``RequestNotFound``) or an export of a request that has none (``WrongRequestKind``) is not
caught here: ``service.ui.error_pages`` shows the error page with its kind's status.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep
from service.privacy import subjects
from service.privacy.export import build_export, export_filename
from service.privacy.subject_index import KINDS as IDENTIFIER_KINDS
from service.store.models import VERIFICATION_METHODS
from service.ui.i18n import LANGS, pick_language
from service.ui.web import CheckedForm, UiPrivacyOfficer, UiUser, render

router = APIRouter(prefix="/ui/privacy", include_in_schema=False)
IDENTIFIER_ROWS = 3

TEXT: dict[str, tuple[str, str]] = {
    "new": ("Uusi rekisteröidyn pyyntö", "New data-subject request"),
    "kind": ("Pyyntö", "Request"),
    "kind.access": ("Tarkastus ja siirto (15, 20 art.)", "Access and portability (art. 15, 20)"),
    "kind.erasure": ("Poisto (17 art.)", "Erasure (art. 17)"),
    "kind.restriction": ("Käsittelyn rajoitus (18 art.)", "Restriction (art. 18)"),
    "kind.lift_restriction": ("Rajoituksen poisto", "Lift restriction"),
    "kind.rectification": ("Oikaisu (16 art.)", "Rectification (art. 16)"),
    "identifiers": ("Henkilön antamat tunnisteet", "Identifiers the person gave"),
    "identifiers.help": ("Tunnisteita ei tallenneta: niistä lasketaan vain avaimellinen tiiviste.",
                         "Identifiers are not stored: only their keyed hash is."),
    "id.phone": ("Puhelinnumero", "Phone number"), "id.hetu": ("Henkilötunnus", "Henkilötunnus"),
    "id.email": ("Sähköposti", "E-mail"), "id.iban": ("Tilinumero (IBAN)", "IBAN"),
    "id.customer_number": ("Asiakasnumero", "Customer number"),
    "value": ("Arvo", "Value"),
    "verification.method": ("Henkilöllisyyden todentamistapa", "How identity was verified"),
    "method.id_document": ("Henkilöllisyystodistus", "Identity document"),
    "method.strong_electronic_id": ("Vahva sähköinen tunnistautuminen", "Strong electronic identification"),
    "method.known_contact_callback": ("Takaisinsoitto tunnettuun yhteystietoon",
                                      "Call-back to a known contact"),
    "method.in_person": ("Henkilökohtainen käynti", "In person"),
    "method.legacy": ("Vapaa teksti (ennen todentamistapoja)", "Free text (before methods were asked)"),
    "verification": ("Viite todisteeseen (asia- tai tikettinumero, toimipiste, päivä)",
                     "Reference to the evidence (case or ticket number, office, date)"),
    "verification.help": ("Älä kirjoita tähän tunnisteita (henkilötunnus, puhelinnumero, osoite).",
                          "Do not write identifiers here (henkilötunnus, phone number, address)."),
    "note": ("Huomautus (valinnainen, ei tunnisteita)", "Note (optional, no identifiers)"),
    "submit": ("Tee pyyntö", "Make the request"),
    "erase.confirm": ("Poisto on peruuttamaton: se tehdään vasta, kun toinen tietosuojavastaava hyväksyy sen.",
                      "Erasure cannot be undone: it runs only once a second privacy officer approves it."),
    "approve": ("Hyväksy poisto", "Approve the erasure"),
    "approve.help": ("Tarkista pyyntö ja todentaminen. Hyväksyntä poistaa henkilön puhelut heti.",
                     "Check the request and its verification. Approving erases the person's calls at once."),
    "approve.other": ("Odottaa toisen tietosuojavastaavan hyväksyntää.",
                      "Waiting for another privacy officer's approval."),
    "approved_by": ("Hyväksyjä", "Approved by"), "approved": ("Poisto hyväksytty.", "The erasure was approved."),
    "err.approve": ("Et voi hyväksyä omaa pyyntöäsi, tai pyyntö ei odota hyväksyntää.",
                    "You cannot approve your own request, or it is not waiting for approval."),
    "reject": ("Hylkää poisto", "Reject the erasure"),
    "reject.reason": ("Hylkäyksen syy (ei tunnisteita)", "Why it is rejected (no identifiers)"),
    "rejected": ("Poisto hylätty: mitään ei poistettu.", "The erasure was rejected: nothing was deleted."),
    "rejected_because": ("Hylätty, syy", "Rejected, reason"),
    "err.reject": ("Syy puuttui, lainasi tunnistetta, tai pyyntö ei odota hyväksyntää.",
                   "The reason was missing or quoted an identifier, or the request is not waiting for approval."),
    "match": ("Yhteys", "Relation"),
    "match.party": ("Henkilön oma puhelu", "The person's own call"),
    "match.mention": ("Vain mainittu (toisen puhelu)", "Only mentioned (another person's call)"),
    "mentions": ("Vain maininnat", "Mentions only"),
    "mention.done.erasure": ("maininta poistettu hakemistosta, toisen henkilön puhelu säilytetty",
                             "mention removed from the index, the other person's call kept"),
    "mention.done.restriction": ("toisen henkilön puhelu, ei rajoitettu", "another person's call, not restricted"),
    "mention.done.lift_restriction": ("toisen henkilön puhelu, ei muutettu", "another person's call, not changed"),
    "recent": ("Viimeisimmät pyynnöt", "Recent requests"),
    "none": ("Ei pyyntöjä vielä.", "No requests yet."),
    "when": ("Aika", "When"), "status": ("Tila", "Status"), "calls": ("Puhelut", "Calls"),
    "by": ("Tekijä", "By"),
    "status.open": ("Avoin", "Open"), "status.completed": ("Valmis", "Completed"),
    "status.partial": ("Osittain tehty", "Partly done"),
    "status.pending_approval": ("Odottaa hyväksyntää", "Waiting for approval"),
    "status.rejected": ("Hylätty", "Rejected"),
    "request": ("Pyyntö", "Request"),
    "matched_by": ("Löytyi tunnisteella", "Matched by"),
    "no_calls": ("Tunnisteilla ei löytynyt puheluita.", "No calls were found for these identifiers."),
    "export": ("Lataa vastaus (ZIP)", "Download the export (ZIP)"),
    "deleted": ("Poistettu", "Deleted"), "kept": ("Säilytetty", "Kept"), "failed": ("Epäonnistui", "Failed"),
    "reason.legal_hold": ("Lakisääteinen säilytysvelvoite (legal hold)", "Legal hold"),
    "reason.legal_obligation": ("Lakisääteinen velvoite", "Legal obligation"),
    "reason.processing": ("Käsittely kesken: tee pyyntö uudelleen myöhemmin",
                          "Still being processed: make the request again later"),
    "reason.storage_error": ("Tallennusvirhe: tee pyyntö uudelleen", "Storage error: make the request again"),
    "restricted": ("Rajoitettu", "Restricted"), "lifted": ("Rajoitus poistettu", "Restriction lifted"),
    "exports": ("Luovutetut vastaukset", "Exports handed out"),
    "correction": ("Lisää oikaisu", "Add a correction"),
    "correction.call": ("Puhelu", "Call"), "correction.turn": ("Puheenvuoro (numero)", "Turn (number)"),
    "correction.text": ("Korjattu teksti", "Corrected text"),
    "correction.help": ("Alkuperäinen teksti säilyy; korjaus tallennetaan tunnisteet poistettuina.",
                        "The original stays; the correction is stored with identifiers redacted."),
    "corrections": ("Oikaisut", "Corrections"),
    "done": ("Pyyntö kirjattu.", "The request was recorded."),
    "corrected": ("Oikaisu lisätty.", "The correction was added."),
    "err.not_found": ("Puhelua tai puheenvuoroa ei löytynyt tästä pyynnöstä.",
                      "No such call or turn in this request."),
}


def _pt(request: Request) -> Any:
    i = LANGS.index(pick_language(request))
    return lambda key: TEXT[key][i] if key in TEXT else key


def _page(request: Request, template: str, user: UiUser, *, status: int = 200, **context: Any) -> HTMLResponse:
    return render(request, template, {"pt": _pt(request), **context}, user=user, status=status)


def _home(request: Request, session: SessionDep, user: UiUser, *, status: int = 200, **context: Any
          ) -> HTMLResponse:
    return _page(request, "privacy_requests.html", user, status=status,
                 requests=[subjects.request_document(r) for r in subjects.list_requests(session, limit=30)],
                 kinds=subjects.KINDS, identifier_kinds=IDENTIFIER_KINDS, rows=range(IDENTIFIER_ROWS),
                 verification_methods=VERIFICATION_METHODS, min_reference=subjects.MIN_REFERENCE, **context)


@router.get("")
def privacy_home(request: Request, session: SessionDep, user: UiPrivacyOfficer) -> HTMLResponse:
    """Make a request; the recent ones."""
    return _home(request, session, user)


@router.post("/requests")
def create(request: Request, session: SessionDep, user: UiPrivacyOfficer, form: CheckedForm) -> Response:
    """Record and carry out a request (the form's identifier rows that have a value)."""
    identifiers = []
    for i in range(IDENTIFIER_ROWS):
        value = str(form.get(f"value{i}", "")).strip()
        if value:
            identifiers.append((str(form.get(f"kind{i}", "")), value))
    try:
        req = subjects.create_request(
            session, request.app.state.ctx.blobs, kind=str(form.get("kind", "")), identifiers=identifiers,
            verification=str(form.get("verification", "")),
            verification_method=str(form.get("verification_method", "")) or None,
            note=str(form.get("note", "")) or None, actor=user.name, role=user.role)
    except subjects.InvalidSubjectRequest as exc:
        return _home(request, session, user, status=422, error=str(exc))
    return RedirectResponse(f"/ui/privacy/requests/{req.id}?done=1", status_code=303)


@router.get("/requests/{request_id}")
def request_page(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer
                 ) -> HTMLResponse:
    """One request: its calls, receipt, export link and (rectification) the correction form."""
    from service.privacy import audit
    req = subjects.get_request(session, request_id)
    audit.record(session, user.name, user.role, "subject.view", "subject_request", str(req.id))
    session.commit()
    query = request.query_params
    return _page(request, "privacy_request.html", user, req=subjects.request_document(req),
                 can_approve=req.created_by != user.name,
                 notice="done" if query.get("done") else "corrected" if query.get("corrected") else
                 "approved" if query.get("approved") else "rejected" if query.get("rejected") else None,
                 error=query.get("error") if query.get("error") in ("err.approve", "err.reject") else
                 "err.not_found" if query.get("error") else None)


@router.post("/requests/{request_id}/approve")
def approve(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer,
            form: CheckedForm) -> Response:
    """A second privacy officer approves an erasure request, which is then carried out."""
    target = f"/ui/privacy/requests/{request_id}"
    try:
        subjects.approve_erasure(session, request.app.state.ctx.blobs, request_id, actor=user.name,
                                 role=user.role)
    except (subjects.NotPendingApproval, subjects.SameOfficer):
        return RedirectResponse(f"{target}?error=err.approve", status_code=303)
    return RedirectResponse(f"{target}?approved=1", status_code=303)


@router.post("/requests/{request_id}/reject")
def reject(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer,
           form: CheckedForm) -> Response:
    """Close an erasure waiting for approval without erasing anything (with a reason)."""
    target = f"/ui/privacy/requests/{request_id}"
    try:
        subjects.reject_erasure(session, request_id, reason=str(form.get("reason") or ""), actor=user.name,
                                role=user.role)
    except (subjects.NotPendingApproval, subjects.InvalidSubjectRequest):
        return RedirectResponse(f"{target}?error=err.reject", status_code=303)
    return RedirectResponse(f"{target}?rejected=1", status_code=303)


@router.post("/requests/{request_id}/export")
def export(request_id: uuid.UUID, session: SessionDep, request: Request, user: UiPrivacyOfficer,
           form: CheckedForm) -> Response:
    """The access export as a download (audited, noted in the receipt): a CSRF-checked POST (review #20)."""
    req = subjects.get_request(session, request_id)
    out = build_export(session, request.app.state.ctx.blobs, req)  # WrongRequestKind: a 409 error page
    subjects.record_export(session, req, sha256=out.sha256, call_ids=out.call_ids, actor=user.name,
                           role=user.role)
    session.commit()
    return Response(out.data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{export_filename(req.id)}"',
        "Cache-Control": "private, no-store"})


@router.post("/requests/{request_id}/rectifications")
def rectify(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer,
            form: CheckedForm) -> Response:
    """Attach a correction to a turn of one of the request's calls."""
    target = f"/ui/privacy/requests/{request_id}"
    try:
        subjects.add_correction(session, request_id, call_ref=str(form.get("call_id", "")),
                                turn_idx=int(str(form.get("turn", "-1")) or -1), text=str(form.get("text", "")),
                                actor=user.name, role=user.role)
    except subjects.RequestNotFound:
        raise  # the 404 error page (service.ui.error_pages), not the form's message below
    except (ValueError, LookupError):  # not a number, not this request's call or turn, empty, wrong kind
        return RedirectResponse(f"{target}?error=err.not_found", status_code=303)
    session.commit()
    return RedirectResponse(f"{target}?corrected=1", status_code=303)
