"""``puheturva subject``: data-subject requests from the command line (export, erase, approve, restrict, show,
list).

The command acts as ``cli:<os user>`` in the privacy-officer role; every request lands in the same table and
audit log as one made through the API. An erasure is carried out only after a different privacy officer
approves it (``approve``, or the API/UI). Identifiers typed on a command line may stay in the shell history:
prefix the command with a space (bash ``HISTCONTROL=ignorespace``) or clear the history afterwards.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli.commands.database import cli_actor, open_db
from service.platform.blobstore_factory import blobstore_from_settings
from service.privacy import subjects
from service.store.models import VERIFICATION_METHODS

app = typer.Typer(help="Data-subject requests: export, erase, restrict (privacy officer).", no_args_is_help=True)
ROLE = "privacy_officer"

Phones = Annotated[list[str] | None, typer.Option("--phone", help="Phone number (repeatable)")]
Hetus = Annotated[list[str] | None, typer.Option("--hetu", help="Henkilötunnus, as written (repeatable)")]
Emails = Annotated[list[str] | None, typer.Option("--email", help="E-mail address (repeatable)")]
Ibans = Annotated[list[str] | None, typer.Option("--iban", help="IBAN (repeatable)")]
Customers = Annotated[list[str] | None, typer.Option("--customer-number", help="Customer number (repeatable)")]
Verification = Annotated[str, typer.Option(help="Reference to the verification evidence: case or ticket number, "
                                               "office, date (no identifiers)")]
Method = Annotated[str, typer.Option("--verification-method", help="How identity was verified: one of "
                                                                   f"{', '.join(VERIFICATION_METHODS)}")]
Note = Annotated[str | None, typer.Option(help="Free-text note (no identifiers)")]


def _identifiers(phone: list[str] | None, hetu: list[str] | None, email: list[str] | None,
                 iban: list[str] | None, customer_number: list[str] | None) -> list[tuple[str, str]]:
    given = [("phone", phone), ("hetu", hetu), ("email", email), ("iban", iban),
             ("customer_number", customer_number)]
    out = [(kind, v) for kind, values in given for v in values or []]
    if not out:
        raise _fail("give at least one of --phone, --hetu, --email, --iban, --customer-number")
    return out


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _create(kind: str, identifiers: list[tuple[str, str]], verification: tuple[str, str], note: str | None,
            then: Any = None) -> dict[str, Any]:
    method, reference = verification
    db = open_db()
    try:
        with db.session() as s:
            blobs = blobstore_from_settings()
            try:
                req = subjects.create_request(s, blobs, kind=kind, identifiers=identifiers,
                                              verification=reference, verification_method=method, note=note,
                                              actor=cli_actor(), role=ROLE)
            except subjects.InvalidSubjectRequest as exc:
                raise _fail(str(exc)) from None
            if then is not None:
                then(s, blobs, req)
            return subjects.request_document(req)
    finally:
        db.dispose()


@app.command("export")
def export(out: Annotated[Path, typer.Option(help="Write the ZIP here", dir_okay=False)],
           verification_method: Method, verification: Verification, phone: Phones = None,
           hetu: Hetus = None, email: Emails = None, iban: Ibans = None, customer_number: Customers = None,
           note: Note = None) -> None:
    """Record an access request and write its export (manifest.json + redacted audio) as a ZIP."""
    from service.privacy.export import build_export

    ids = _identifiers(phone, hetu, email, iban, customer_number)

    def write(s: Any, blobs: Any, req: Any) -> None:
        result = build_export(s, blobs, req)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.data)
        out.chmod(0o600)  # personal data: readable by the officer only
        subjects.record_export(s, req, sha256=result.sha256, call_ids=result.call_ids, actor=cli_actor(),
                               role=ROLE)

    doc = _create("access", ids, (verification_method, verification), note, write)
    typer.echo(f"request {doc['id']}: {len(doc['calls'])} call(s); wrote {out}")


@app.command("erase")
def erase(verification_method: Method, verification: Verification, phone: Phones = None, hetu: Hetus = None,
          email: Emails = None, iban: Ibans = None, customer_number: Customers = None, note: Note = None,
          yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False) -> None:
    """Request the erasure of the person's own calls (a call that only mentions them loses the mention, not
    the call); a different privacy officer carries it out with ``approve``. Prints the request as JSON."""
    ids = _identifiers(phone, hetu, email, iban, customer_number)
    if not yes:
        own, mentions = _count(ids)
        typer.confirm(f"Erase {own} call(s) of this person (and remove the mention from {mentions} other "
                      "call(s)) once another privacy officer approves? This cannot be undone", abort=True)
    doc = _create("erasure", ids, (verification_method, verification), note)
    typer.echo(json.dumps({"id": doc["id"], "status": doc["status"], **doc["result"]}, indent=2))
    typer.echo(f"waiting for approval: another privacy officer runs `puheturva subject approve {doc['id']}`",
               err=True)


@app.command("reject")
def reject(request_id: Annotated[uuid.UUID, typer.Argument(help="Erasure request id")],
           reason: Annotated[str, typer.Option("--reason", help="Why it is not carried out (no identifiers)")]
           ) -> None:
    """Close an erasure request waiting for approval without erasing anything; prints the request."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                req = subjects.reject_erasure(s, request_id, reason=reason, actor=cli_actor(), role=ROLE)
            except subjects.RequestNotFound:
                raise _fail("no such subject request") from None
            except (subjects.NotPendingApproval, subjects.InvalidSubjectRequest) as exc:
                raise _fail(str(exc)) from None
            doc = subjects.request_document(req)
    finally:
        db.dispose()
    typer.echo(json.dumps({"id": doc["id"], "status": doc["status"], **doc["result"]}, indent=2))


@app.command("approve")
def approve(request_id: Annotated[uuid.UUID, typer.Argument(help="Erasure request id")],
            yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False) -> None:
    """Approve an erasure request made by another privacy officer and carry it out; prints the receipt."""
    if not yes:
        typer.confirm("Approve and carry out this erasure? This cannot be undone", abort=True)
    db = open_db()
    try:
        with db.session() as s:
            try:
                req = subjects.approve_erasure(s, blobstore_from_settings(), request_id, actor=cli_actor(),
                                               role=ROLE)
            except subjects.RequestNotFound:
                raise _fail("no such subject request") from None
            except (subjects.NotPendingApproval, subjects.SameOfficer) as exc:
                raise _fail(str(exc)) from None
            doc = subjects.request_document(req)
    finally:
        db.dispose()
    typer.echo(json.dumps({"id": doc["id"], "status": doc["status"], **doc["result"]}, indent=2))
    if doc["status"] != "completed":
        raise typer.Exit(1)


@app.command("restrict")
def restrict(verification_method: Method, verification: Verification, phone: Phones = None, hetu: Hetus = None,
             email: Emails = None, iban: Ibans = None, customer_number: Customers = None, note: Note = None,
             lift: Annotated[bool, typer.Option("--lift", help="Lift an earlier restriction")] = False) -> None:
    """Restrict processing of the person's calls (kept, hidden from QA and lists), or lift it."""
    ids = _identifiers(phone, hetu, email, iban, customer_number)
    doc = _create("lift_restriction" if lift else "restriction", ids, (verification_method, verification), note)
    done = doc["result"].get("lifted" if lift else "restricted", [])
    typer.echo(f"request {doc['id']}: {'lifted restriction on' if lift else 'restricted'} {len(done)} call(s)")


def _count(identifiers: list[tuple[str, str]]) -> tuple[int, int]:
    """(own calls, calls that only mention the person)."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                found = subjects.match_calls(s, subjects.index_terms(identifiers))
                own = sum(1 for m in found if m["match"] == subjects.PARTY)
                return own, len(found) - own
            except subjects.InvalidSubjectRequest as exc:
                raise _fail(str(exc)) from None
    finally:
        db.dispose()


@app.command("show")
def show(request_id: Annotated[uuid.UUID, typer.Argument(help="Request id")]) -> None:
    """Print one request and its receipt as JSON."""
    db = open_db()
    try:
        with db.session() as s:
            try:
                doc = subjects.request_document(subjects.get_request(s, request_id))
            except subjects.RequestNotFound:
                raise _fail("no such subject request") from None
    finally:
        db.dispose()
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@app.command("list")
def list_(limit: Annotated[int, typer.Option(min=1, max=500)] = 50) -> None:
    """Recent requests, newest first: id, kind, status, calls, who, when."""
    db = open_db()
    try:
        with db.session() as s:
            rows = [subjects.request_document(r) for r in subjects.list_requests(s, limit=limit)]
    finally:
        db.dispose()
    for r in rows:
        typer.echo(f"{r['id']}  {r['kind']:16} {r['status']:9} {len(r['calls']):3} call(s)  "
                   f"{r['created_by']}  {r['created_at']}")
