"""The privacy officer's pages: data-subject requests (make one, see its receipt, download the export, add a
correction). QA reviewers and user admins are refused. The pages call the same domain code as
``/v1/subject-requests``, so a request made here is the same record, audit trail and receipt.

After an error the form comes back with what was typed (request type, identifiers, verification), except the
field that was refused: a wrong identifier, or free text that quoted one, is never put back into a page.
Errors are words in the page's language (``error_key``), never the domain's English message. The strings
of these pages live here (both languages side by side), not in the shared UI catalogue, so the privacy
tools can change without touching the rest of the UI.

An unknown request (``RequestNotFound``) or an export of a request that has none (``WrongRequestKind``) is not
caught here: ``service.ui.error_pages`` shows the error page with its kind's status.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep
from service.privacy import subjects
from service.privacy.attach import ATTACHABLE, CannotAttach, attach_call
from service.privacy.erasure_preview import confirm_key, preview_erasure
from service.privacy.export import build_export, export_filename
from service.privacy.subject_index import KINDS as IDENTIFIER_KINDS
from service.store.models import VERIFICATION_METHODS
from service.ui.i18n import LANGS, pick_language
from service.ui.privacy_receipt import build_receipt, receipt_pdf
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
    "correction.turn.help": ("Numero kuten puhelun sivulla: ensimmäinen puheenvuoro on 1.",
                             "The number as on the call page: the first turn is 1."),
    "correction.text": ("Korjattu teksti", "Corrected text"),
    "correction.help": ("Alkuperäinen teksti säilyy; korjaus tallennetaan tunnisteet poistettuina.",
                        "The original stays; the correction is stored with identifiers redacted."),
    "corrections": ("Oikaisut", "Corrections"),
    "done": ("Pyyntö kirjattu.", "The request was recorded."),
    "corrected": ("Oikaisu lisätty.", "The correction was added."),
    "err.not_found": ("Puhelua tai puheenvuoroa ei löytynyt tästä pyynnöstä.",
                      "No such call or turn in this request."),
    # errors of the request form, by the domain's code (``error_key``)
    "err.no_identifiers": ("Anna vähintään yksi henkilön tunniste.", "Give at least one identifier of the person."),
    "err.too_many_identifiers": ("Liikaa tunnisteita yhdessä pyynnössä.", "Too many identifiers in one request."),
    "err.identifier_kind": ("Tunniste {n}: tuntematon tunnisteen laji.", "Identifier {n}: unknown kind."),
    "err.identifier_format": ("Tunniste {n}: arvo ei ole kelvollinen tälle tunnisteen lajille.",
                              "Identifier {n}: the value is not valid for this kind of identifier."),
    "err.hetu_checksum": ("Tunniste {n}: henkilötunnuksen tarkistusmerkki ei täsmää (kirjoitusvirhe?).",
                          "Identifier {n}: the henkilötunnus check character does not match (a typing error?)."),
    "err.kind": ("Valitse pyynnön laji.", "Choose the kind of request."),
    "err.verification_method": ("Valitse, miten henkilöllisyys todennettiin.",
                                "Choose how the person's identity was verified."),
    "err.verification_reference": ("Anna viite todisteeseen (vähintään {n} merkkiä).",
                                   "Give a reference to the evidence (at least {n} characters)."),
    "err.identifier_in_text": ("Tekstissä näyttää olevan tunniste. Jätä tunnisteet pois vapaasta tekstistä.",
                               "The text seems to contain an identifier. Leave identifiers out of free text."),
    "err.reason": ("Anna syy (3–500 merkkiä).", "Give a reason (3 to 500 characters)."),
    "err.invalid": ("Pyyntöä ei voitu hyväksyä. Tarkista kentät.", "The request could not be accepted. "
                                                                   "Check the fields."),
    # receipt in words (``service.ui.privacy_receipt``)
    "receipt": ("Kuitti", "Receipt"), "completed": ("Valmistui", "Completed"),
    "receipt.pdf": ("Lataa kuitti (PDF)", "Download the receipt (PDF)"),
    "receipt.json": ("Lataa kuitti (JSON)", "Download the receipt (JSON)"),
    "receipt.already_deleted": ("oli jo poistettu", "was already deleted"),
    "receipt.retain_until": ("säilytetään saakka", "kept until"),
    "receipt.artefacts_deleted": ("poistettu", "deleted"),
    "receipt.artefacts_kept": ("säilytetty", "kept"),
    "receipt.artefacts_failed": ("poisto epäonnistui", "could not be deleted"),
    "receipt.restricted": ("käsittely rajoitettu", "processing restricted"),
    "receipt.mention_left": ("maininta näkyy vielä tekstissä: tarkista puhelu", "the mention still shows in the "
                             "text: check the call"),
    "reason.mention_only": ("Vain mainittu: toisen henkilön puhelu säilyy, maininta poistetaan",
                            "Only mentioned: another person's call is kept, the mention is removed"),
    # erasure preview (two steps)
    "preview": ("Tarkista ennen poistoa", "Check before erasing"),
    "preview.help": ("Alla on, mitä hyväksyntä poistaa ja mitä säilyy ja miksi. Mitään ei ole vielä poistettu.",
                     "Below is what approving deletes and what is kept, and why. Nothing has been deleted yet."),
    "preview.confirm": ("Vahvista poisto", "Confirm the erasure"),
    "preview.cancel": ("Peruuta", "Cancel"),
    "preview.changed": ("Poistettava muuttui esikatselun jälkeen: tarkista uusi esikatselu.",
                        "What would be erased changed after the preview: check the new preview."),
    "action.delete": ("Poistetaan", "To be deleted"), "action.keep": ("Säilytetään", "To be kept"),
    "action.mention": ("Puhelu säilyy, maininta poistetaan", "Call kept, mention removed"),
    "action.gone": ("Jo poistettu", "Already deleted"),
    "preview.deletes": ("Poistetaan", "Deletes"), "preview.keeps": ("Säilytetään", "Keeps"),
    # attaching a call by hand
    "attach": ("Liitä puhelu käsin", "Attach a call by hand"),
    "attach.help": ("Jos tunnistetta ei löytynyt hakemistosta (esim. puheessa sanottu henkilötunnus kuultiin "
                    "väärin), liitä puhelu sen tunnuksella. Puhelu lasketaan henkilön omaksi puheluksi.",
                    "If the index did not find an identifier (e.g. a spoken henkilötunnus was misheard), attach "
                    "the call by its id. It then counts as the person's own call."),
    "attach.call": ("Puhelun tunnus", "Call id"),
    "attach.reason": ("Peruste (ei tunnisteita)", "Why (no identifiers)"),
    "attached": ("Puhelu liitetty pyyntöön.", "The call was attached to the request."),
    "attached_by": ("Liitetty käsin", "Attached by hand"),
    "err.attach_call": ("Puhelua ei löytynyt tällä tunnuksella.", "No call with this id."),
    "err.attach": ("Puhelua ei voi enää liittää tähän pyyntöön.", "A call can no longer be attached to this "
                                                                   "request."),
    "id.manual": ("Liitetty käsin", "Attached by hand"),
}


def _pt(request: Request) -> Any:
    i = LANGS.index(pick_language(request))
    return lambda key: TEXT[key][i] if key in TEXT else key


def _page(request: Request, template: str, user: UiUser, *, status: int = 200, **context: Any) -> HTMLResponse:
    return render(request, template, {"pt": _pt(request), **context}, user=user, status=status)


def _home(request: Request, session: SessionDep, user: UiUser, *, status: int = 200, **context: Any
          ) -> HTMLResponse:
    context.setdefault("values", {})
    return _page(request, "privacy_requests.html", user, status=status,
                 requests=[subjects.request_document(r) for r in subjects.list_requests(session, limit=30)],
                 kinds=subjects.KINDS, identifier_kinds=IDENTIFIER_KINDS, rows=range(IDENTIFIER_ROWS),
                 verification_methods=VERIFICATION_METHODS, min_reference=subjects.MIN_REFERENCE, **context)


@router.get("")
def privacy_home(request: Request, session: SessionDep, user: UiPrivacyOfficer) -> HTMLResponse:
    """Make a request; the recent ones."""
    return _home(request, session, user)


FREE_TEXT_FIELDS = {"verification reference": "verification", "note": "note"}


def error_key(exc: subjects.InvalidSubjectRequest) -> tuple[str, dict[str, Any]]:
    """The page's words for a domain error: a key of ``TEXT`` and its values (never the English message)."""
    row = {"n": exc.row + 1} if exc.row is not None else {}
    if exc.code == "invalid_identifier":
        return {"checksum": "err.hetu_checksum", "kind": "err.identifier_kind"}.get(
            exc.detail or "", "err.identifier_format"), row
    if exc.code == "invalid_verification":
        if exc.detail == "method":
            return "err.verification_method", {}
        return "err.verification_reference", {"n": subjects.MIN_REFERENCE}
    keys = {"no_identifiers": "err.no_identifiers", "too_many_identifiers": "err.too_many_identifiers",
            "invalid_kind": "err.kind", "identifier_in_text": "err.identifier_in_text",
            "invalid_reason": "err.reason"}
    return keys.get(exc.code, "err.invalid"), {}


def error_text(request: Request, exc: subjects.InvalidSubjectRequest) -> str:
    key, values = error_key(exc)
    return str(_pt(request)(key)).format(**values)


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
        # The form comes back as it was sent, so the officer fixes one field instead of typing all again,
        # except the field that was refused: a wrong identifier, or free text that quoted one, is never
        # shown again. The page is not cached (it holds the identifiers just typed).
        refused = {f"value{exc.row}"} if exc.row is not None else set()
        refused |= {FREE_TEXT_FIELDS[exc.detail]} if exc.detail in FREE_TEXT_FIELDS else set()
        values = {k: str(v) for k, v in form.items() if k != "csrf" and k not in refused}
        page = _home(request, session, user, status=422, error=error_text(request, exc), values=values,
                     error_row=exc.row)
        page.headers["Cache-Control"] = "private, no-store"
        return page
    return RedirectResponse(f"/ui/privacy/requests/{req.id}?done=1", status_code=303)


NOTICES = ("done", "corrected", "approved", "rejected", "attached")
ERRORS = ("err.approve", "err.reject", "err.attach", "err.attach_call", "err.reason", "err.identifier_in_text",
          "preview.changed")


@router.get("/requests/{request_id}")
def request_page(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer
                 ) -> HTMLResponse:
    """One request: its calls, receipt, export link and (rectification) the correction form."""
    from service.privacy import audit
    req = subjects.get_request(session, request_id)
    audit.record(session, user.name, user.role, "subject.view", "subject_request", str(req.id))
    session.commit()
    query = request.query_params
    doc = subjects.request_document(req)
    error = query.get("error")
    return _page(request, "privacy_request.html", user, req=doc,
                 receipt=build_receipt(doc, _pt(request), pick_language(request)),
                 attachable=(req.kind, req.status) in ATTACHABLE,
                 can_approve=req.created_by != user.name,
                 notice=next((n for n in NOTICES if query.get(n)), None),
                 error=error if error in ERRORS else "err.not_found" if error else None)


@router.post("/requests/{request_id}/approve")
def approve(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer,
            form: CheckedForm) -> Response:
    """Two steps: without a confirmation token, the preview of what the erasure deletes and keeps (and a
    token bound to this request, this officer and this preview); with it, a second privacy officer's
    approval, and the erasure is carried out."""
    target = f"/ui/privacy/requests/{request_id}"
    req = subjects.get_request(session, request_id)
    if req.kind != "erasure" or req.status != "pending_approval" or req.created_by == user.name:
        return RedirectResponse(f"{target}?error=err.approve", status_code=303)
    preview = preview_erasure(session, req)
    key = confirm_key(request.app.state.ctx.settings)
    token = str(form.get("confirm") or "")
    if not token or not hmac.compare_digest(token, preview.token(user.name, key)):
        return _page(request, "privacy_erasure_preview.html", user, req=subjects.request_document(req),
                     preview=preview, token=preview.token(user.name, key), changed=bool(token))
    try:
        subjects.approve_erasure(session, request.app.state.ctx.blobs, request_id, actor=user.name,
                                 role=user.role)
    except (subjects.NotPendingApproval, subjects.SameOfficer):
        return RedirectResponse(f"{target}?error=err.approve", status_code=303)
    return RedirectResponse(f"{target}?approved=1", status_code=303)


@router.post("/requests/{request_id}/calls")
def attach(request_id: uuid.UUID, request: Request, session: SessionDep, user: UiPrivacyOfficer,
           form: CheckedForm) -> Response:
    """Attach a call the index did not find, by its telephony id, with the officer's reason."""
    from service.calls.views import find_call_by_external_id
    from service.platform.errors import NotFound

    target = f"/ui/privacy/requests/{request_id}"
    subjects.get_request(session, request_id)  # an unknown request: the 404 page
    client = str(form.get("client") or "").strip() or None
    try:
        call = find_call_by_external_id(session, str(form.get("call_id") or "").strip(), include_restricted=True,
                                        client=client)
        attach_call(session, request_id, call, reason=str(form.get("reason") or ""), actor=user.name,
                    role=user.role)
    except NotFound:
        return RedirectResponse(f"{target}?error=err.attach_call", status_code=303)
    except CannotAttach:
        return RedirectResponse(f"{target}?error=err.attach", status_code=303)
    except subjects.InvalidSubjectRequest as exc:
        return RedirectResponse(f"{target}?error={error_key(exc)[0]}", status_code=303)
    session.commit()
    return RedirectResponse(f"{target}?attached=1", status_code=303)


@router.get("/requests/{request_id}/receipt.{fmt}")
def receipt_download(request_id: uuid.UUID, fmt: str, request: Request, session: SessionDep,
                     user: UiPrivacyOfficer) -> Response:
    """The receipt in words, as a PDF to send to the person or as JSON; each download is audited."""
    from service.privacy import audit

    if fmt not in ("pdf", "json"):
        raise subjects.RequestNotFound("no such receipt format")
    req = subjects.get_request(session, request_id)
    lang = pick_language(request)
    doc = subjects.request_document(req)
    receipt = build_receipt(doc, _pt(request), lang)
    data = receipt_pdf(receipt) if fmt == "pdf" else receipt.to_json(doc["result"])
    audit.record(session, user.name, user.role, "subject.receipt", "subject_request", str(req.id),
                 {"format": fmt, "lang": lang})
    session.commit()
    return Response(data, media_type="application/pdf" if fmt == "pdf" else "application/json", headers={
        "Content-Disposition": f'attachment; filename="puheturva-receipt-{req.id}.{fmt}"',
        "Cache-Control": "private, no-store"})


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
    """Attach a correction to a turn of one of the request's calls (the form counts turns from 1, as the call
    page and the reviewer panel do; the store from 0)."""
    target = f"/ui/privacy/requests/{request_id}"
    try:
        subjects.add_correction(session, request_id, call_ref=str(form.get("call_id", "")),
                                turn_idx=int(str(form.get("turn", "0")) or 0) - 1, text=str(form.get("text", "")),
                                actor=user.name, role=user.role)
    except subjects.RequestNotFound:
        raise  # the 404 error page (service.ui.error_pages), not the form's message below
    except (ValueError, LookupError):  # not a number, not this request's call or turn, empty, wrong kind
        return RedirectResponse(f"{target}?error=err.not_found", status_code=303)
    session.commit()
    return RedirectResponse(f"{target}?corrected=1", status_code=303)
