"""Data-subject requests (privacy notice §11): access, erasure, restriction, rectification.

A privacy officer who has verified a person's identity (a method from ``VERIFICATION_METHODS`` and an
evidence reference) enters the identifiers the person gave. They are turned into the keyed HMAC terms of the
subject index at once and never stored: the request keeps the terms, the matched calls, the verification and
a receipt of what was done. Every step is audited.

A call is the person's own (``party``) when one of their identifiers is in its metadata: caller, callee or
customer number. A call where one was only spoken (``mention``) may be anyone's: "my wife's number is …"
puts the wife's number into her husband's call. So every step draws the same line: the person's own calls are
exported (the other party withheld), erased, restricted and rectified; a call that only mentions them is
listed, never handed out, and an erasure removes the mention (its index terms, the raw artefacts that hold it
in clear) but keeps the other person's call.

An erasure is irreversible and acts on one officer's word about identity, so it waits (``pending_approval``)
until a different privacy officer approves it (four eyes).

Erasure is irreversible, so the request is committed before anything is deleted and each call is erased in
its own transaction; a crash leaves a request whose receipt lists what was done so far. A call under legal
hold, or holding data kept under a legal obligation (GDPR art. 17(3)(b)/(e)), is kept, restricted, and
listed in the receipt with the reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from redaction.recognizers.hetu import problem as hetu_problem
from service.platform.blobstore import BlobError, BlobStore
from service.platform.errors import Conflict, Forbidden, Invalid, NotFound
from service.privacy import audit, subject_index
from service.privacy.erased import record_erased
from service.privacy.register import Register, get_register
from service.privacy.retention import LegalHoldActive, delete_artefact, erase_call
from service.store import repo_subjects
from service.store.kinds import ArtefactKind
from service.store.models import (
    SUBJECT_REQUEST_KINDS,
    VERIFICATION_METHODS,
    Artefact,
    Call,
    SubjectRequest,
    TurnCorrection,
)
from service.store.repo_calls import call_row_counts, existing_call_ids
from service.store.repo_jobs import has_active_job
from service.store.repo_turns import corrections_of_call, turn_at, turns_of

KINDS = SUBJECT_REQUEST_KINDS
MAX_IDENTIFIERS = 20
PARTY, MENTION = subject_index.PARTY, subject_index.MENTION
MIN_REFERENCE = 8  # "yes" or "ok" is not evidence; "passi 12/2026 toimipiste" is
# Artefacts that hold what was said in clear: a mention of the person in them is not redacted.
_RAW_KINDS = (ArtefactKind.RAW_TRANSCRIPT.value, ArtefactKind.ORIGINAL_AUDIO.value)
LEGAL_OBLIGATION_ARTICLE = "6(1)(c)"
# Structured identifiers the free-text check refuses wherever they appear. Not PHONE: the recogniser also
# reads dates and times ("12.3.2025 klo 14.05") as numbers; the person's own phone is caught by comparison.
_REFUSED_IN_TEXT = frozenset({"HETU", "EMAIL", "IBAN", "CARD"})
_NOT_COMPACT = re.compile(r"[^0-9a-zåäö@]+")


class InvalidSubjectRequest(Invalid):
    """The request cannot be accepted; ``code`` is stable, the message never quotes what was given.

    ``row`` is the identifier's place in the request (0-based) and ``detail`` a stable sub-code
    (``checksum``, ``format``…), so a page can say what is wrong in its own language."""

    def __init__(self, code: str, message: str, *, row: int | None = None, detail: str | None = None) -> None:
        super().__init__(message, code=code)
        self.row, self.detail = row, detail


class RequestNotFound(NotFound):
    pass


class WrongRequestKind(Conflict, ValueError):
    """The operation does not apply to this kind of request (e.g. an export of an erasure request)."""

    code = "wrong_request_kind"


class CallNotInRequest(NotFound):
    """The call is not one of the request's calls (or no longer exists)."""


class TurnNotFound(NotFound):
    pass


class NotPendingApproval(Conflict, ValueError):
    """The request is not an erasure waiting for approval (already approved, or another kind)."""

    code = "not_pending_approval"


class SameOfficer(Forbidden):
    """The officer who made an erasure request cannot also approve it."""

    code = "same_officer"


# ------------------------------------------------------------------------------------------ validation


def index_terms(identifiers: Sequence[tuple[str, str]], *, key: bytes | None = None) -> list[dict[str, str]]:
    """The subject-index terms of the given identifiers, de-duplicated; raises ``InvalidSubjectRequest``."""
    if not identifiers:
        raise InvalidSubjectRequest("no_identifiers", "give at least one identifier of the person")
    if len(identifiers) > MAX_IDENTIFIERS:
        raise InvalidSubjectRequest("too_many_identifiers", f"at most {MAX_IDENTIFIERS} identifiers")
    terms: dict[str, str] = {}
    for i, (kind, value) in enumerate(identifiers):
        if kind not in subject_index.KINDS:
            raise InvalidSubjectRequest("invalid_identifier", f"identifiers[{i}]: unknown kind", row=i,
                                        detail="kind")
        try:
            terms.setdefault(subject_index.index_terms(kind, value, key=key), kind)
        except subject_index.InvalidIdentifier as exc:
            raise InvalidSubjectRequest("invalid_identifier", f"identifiers[{i}]: {exc}", row=i,
                                        detail="format") from None
        if kind == "hetu" and hetu_problem(value) == "InvalidChecksum":
            # A mistyped code finds nothing, and "no calls" would be a wrong answer to the person.
            raise InvalidSubjectRequest("invalid_identifier", f"identifiers[{i}]: the henkilötunnus check "
                                                              "character does not match (a typing error?)",
                                        row=i, detail="checksum")
    return [{"kind": k, "hmac": h} for h, k in terms.items()]


def _compact(text: str) -> str:
    return _NOT_COMPACT.sub("", text.lower())


def _spellings(kind: str, value: str) -> set[str]:
    """Compact spellings of one identifier as an officer might type it (phones: also the national form)."""
    out = {_compact(value)}
    try:
        norm = subject_index.normalise(kind, value)
    except subject_index.InvalidIdentifier:
        return out
    out.add(_compact(norm))
    if kind == "phone" and norm.startswith("+358"):
        out.add("0" + norm[4:])
    return {s for s in out if len(s) >= 5}


@lru_cache(maxsize=1)
def _pattern_analyzer() -> Any:
    """The rule-based recognisers only (no NER model): fast enough for every request."""
    from redaction import Analyzer

    return Analyzer()


def check_free_text(field: str, text: str | None, identifiers: Iterable[tuple[str, str]]) -> None:
    """Refuse an officer's note that quotes an identifier: the request must not store what it protects."""
    if not text:
        return
    compact = _compact(text)
    for kind, value in identifiers:
        if any(s in compact for s in _spellings(kind, value)):
            raise InvalidSubjectRequest(
                "identifier_in_text", f"{field} quotes an identifier of the person; describe how identity "
                                      "was verified without writing the identifier", detail=field)
    found = sorted({s.type for s in _pattern_analyzer().analyze(text)} & _REFUSED_IN_TEXT)
    if found:
        raise InvalidSubjectRequest(
            "identifier_in_text", f"{field} seems to contain an identifier ({', '.join(found)}); "
                                  "leave identifiers out of free text", detail=field)


def check_verification(method: str | None, reference: str | None,
                       identifiers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The ``(method, reference)`` of how identity was verified, or ``InvalidSubjectRequest``: a method from
    ``VERIFICATION_METHODS`` and a reference to the evidence (a case or ticket number, the office, the date)
    that quotes no identifier."""
    if method not in VERIFICATION_METHODS:
        raise InvalidSubjectRequest("invalid_verification", "verification method must be one of "
                                                            f"{', '.join(VERIFICATION_METHODS)}", detail="method")
    reference = (reference or "").strip()
    if len(reference) < MIN_REFERENCE:
        raise InvalidSubjectRequest("invalid_verification", "give a reference to the verification evidence "
                                                            f"(at least {MIN_REFERENCE} characters)",
                                    detail="reference")
    check_free_text("verification reference", reference, list(identifiers))
    return method, reference


# ------------------------------------------------------------------------------------------- matching


def match_calls(session: Session, terms: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    """The calls concerning the subject, oldest first, with the identifier kinds that matched each and
    ``match``: ``party`` (an identifier is in the call's metadata: the call is the subject's own) or
    ``mention`` (identifiers were only spoken in it: the call may be another person's)."""
    hmacs = [t["hmac"] for t in terms]
    if not hmacs:
        return []
    calls: dict[uuid.UUID, dict[str, Any]] = {}
    for row in repo_subjects.term_matches(session, hmacs):
        entry = calls.setdefault(row.call_id, {"id": str(row.call_id), "call_id": row.external_id,
                                               "matched_by": [], "match": MENTION})
        if row.kind not in entry["matched_by"]:
            entry["matched_by"].append(row.kind)
        if row.role == PARTY:
            entry["match"] = PARTY
    for entry in calls.values():
        entry["matched_by"].sort()
    return list(calls.values())


def match_of(entry: dict[str, Any]) -> str:
    """How a stored matched call concerns the subject. Requests made before matches had a kind mixed
    both, so they count as mentions: nothing of another person's is handed out or erased on their basis."""
    return PARTY if entry.get("match") == PARTY else MENTION


def live_call_ids(session: Session, req: SubjectRequest, *, match: str | None = None) -> list[uuid.UUID]:
    """The request's calls that still exist (an erased call is gone for every later step); only those
    matched as ``match`` if given."""
    ids = [uuid.UUID(m["id"]) for m in req.matched_calls if match is None or match_of(m) == match]
    if not ids:
        return []
    present = existing_call_ids(session, ids)
    return [i for i in ids if i in present]


# ------------------------------------------------------------------------------------------- requests


def create_request(
    session: Session, blobs: BlobStore, *, kind: str, identifiers: Sequence[tuple[str, str]],
    verification: str, verification_method: str | None = None, note: str | None = None, actor: str,
    role: str, now: datetime | None = None, register: Register | None = None,
) -> SubjectRequest:
    """Record a request, find the subject's calls and carry it out (access and rectification wait for the
    export and the corrections, erasure for a second officer's ``approve_erasure``). Commits: the request
    is on record before anything is changed. ``verification`` is the evidence reference."""
    if kind not in KINDS:
        raise InvalidSubjectRequest("invalid_kind", f"kind must be one of {', '.join(KINDS)}")
    terms = index_terms(identifiers)
    method, reference = check_verification(verification_method, verification, identifiers)
    check_free_text("note", note, identifiers)
    return open_request(session, blobs, kind=kind, terms=terms, verification=reference,
                        verification_method=method, note=note, actor=actor, role=role, now=now)


def open_request(
    session: Session, blobs: BlobStore, *, kind: str, terms: list[dict[str, str]], verification: str,
    verification_method: str, note: str | None, actor: str, role: str, now: datetime | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> SubjectRequest:
    """``create_request`` from index terms already computed and a verification already checked: the entry of
    a request that came from elsewhere than typed identifiers (a request said in a call, whose caller is known
    only by the call's keyed party terms: ``service.privacy.rights_items``). Commits as ``create_request``."""
    if kind not in KINDS:
        raise InvalidSubjectRequest("invalid_kind", f"kind must be one of {', '.join(KINDS)}")
    if not terms:
        raise InvalidSubjectRequest("no_identifiers", "give at least one identifier of the person")
    method, reference = verification_method, verification
    now = now or utcnow()
    matched = match_calls(session, terms)
    req = SubjectRequest(kind=kind, status="open", created_by=actor, created_by_role=role, terms=terms,
                         verification=reference, verification_method=method, note=(note or "").strip() or None,
                         matched_calls=matched, result=_found(matched), created_at=now, updated_at=now)
    session.add(req)
    session.flush()
    audit.record(session, actor, role, "subject.request", "subject_request", str(req.id),
                 {"kind": kind, "identifier_kinds": sorted({t["kind"] for t in terms}), "calls": len(matched),
                  "verification_method": method, **(audit_detail or {})}, now=now)
    session.commit()
    if kind == "access":
        _finish(session, req, "completed", {}, actor, role, now)
    elif kind == "erasure":
        req.status = "pending_approval"  # nothing is erased on one officer's word
    elif kind in ("restriction", "lift_restriction"):
        _restrict(session, req, kind == "restriction", actor, role, now)
    else:  # rectification: stays open for its corrections
        _set_result(req, {"corrections": []}, now)
    session.commit()
    return req


def approve_erasure(session: Session, blobs: BlobStore, request_id: uuid.UUID, *, actor: str, role: str,
                    now: datetime | None = None, register: Register | None = None) -> SubjectRequest:
    """A second privacy officer confirms an erasure request, which is then carried out. Commits.

    Raises ``NotPendingApproval`` (not an erasure, or already approved) or ``SameOfficer``."""
    req = get_request(session, request_id)
    if req.kind != "erasure" or req.status != "pending_approval":
        raise NotPendingApproval("only an erasure request waiting for approval can be approved")
    if actor == req.created_by:
        raise SameOfficer("a different privacy officer must approve the erasure")
    now = now or utcnow()
    req.approved_by, req.approved_at, req.updated_at = actor, now, now
    audit.record(session, actor, role, "subject.erasure_approved", "subject_request", str(req.id),
                 {"created_by": req.created_by, "calls": len(req.matched_calls)}, now=now)
    session.commit()
    _erase(session, blobs, req, actor, role, now, register or get_register())
    session.commit()
    return req


def reject_erasure(session: Session, request_id: uuid.UUID, *, reason: str, actor: str, role: str,
                   now: datetime | None = None) -> SubjectRequest:
    """Close an erasure waiting for approval without erasing anything: the second officer finds the
    verification wanting, or the maker withdraws a mistake. Commits.

    The reason is stored and shown, so it may not quote identifiers (``InvalidSubjectRequest``); raises
    ``NotPendingApproval`` when the request is not an erasure waiting for approval."""
    req = get_request(session, request_id)
    if req.kind != "erasure" or req.status != "pending_approval":
        raise NotPendingApproval("only an erasure request waiting for approval can be rejected")
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise InvalidSubjectRequest("invalid_reason", "give a reason of 3 to 500 characters")
    check_free_text("reason", reason, [])
    now = now or utcnow()
    _set_result(req, {"rejected_reason": reason, "rejected_by_role": role}, now)
    req.status, req.completed_at = "rejected", now
    audit.record(session, actor, role, "subject.erasure_rejected", "subject_request", str(req.id),
                 {"created_by_self": actor == req.created_by}, now=now)
    session.commit()
    return req


def _found(matched: list[dict[str, Any]]) -> dict[str, Any]:
    return {"calls_found": len(matched), "party_calls": sum(1 for m in matched if match_of(m) == PARTY),
            "mention_calls": sum(1 for m in matched if match_of(m) == MENTION)}


def _set_result(req: SubjectRequest, extra: dict[str, Any], now: datetime) -> None:
    req.result = {**req.result, **extra}  # a new dict: JSON columns do not track in-place changes
    req.updated_at = now


def _finish(session: Session, req: SubjectRequest, status: str, extra: dict[str, Any], actor: str, role: str,
            now: datetime) -> None:
    _set_result(req, extra, now)
    req.status = status
    req.completed_at = now
    summary = {k: len(v) if isinstance(v, list) else v for k, v in req.result.items()}
    audit.record(session, actor, role, "subject.completed", "subject_request", str(req.id),
                 {"kind": req.kind, "status": status, **summary}, now=now)


def get_request(session: Session, request_id: uuid.UUID) -> SubjectRequest:
    req = session.get(SubjectRequest, request_id)
    if req is None:
        raise RequestNotFound("unknown subject request")
    return req


def list_requests(session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
                  ) -> list[SubjectRequest]:
    return repo_subjects.list_subject_requests(session, kind=kind, limit=limit, offset=offset)


def request_document(req: SubjectRequest) -> dict[str, Any]:
    """The request as the API shows it to privacy officers: identifier kinds, never terms or values."""
    return {"id": str(req.id), "kind": req.kind, "status": req.status, "created_by": req.created_by,
            "created_by_role": req.created_by_role, "created_at": _iso(req.created_at),
            "updated_at": _iso(req.updated_at), "completed_at": _iso(req.completed_at),
            "identifier_kinds": sorted({t["kind"] for t in req.terms}),
            "verification": {"method": req.verification_method, "reference": req.verification},
            "approved_by": req.approved_by, "approved_at": _iso(req.approved_at),
            "note": req.note, "calls": [{**m, "match": match_of(m)} for m in req.matched_calls],
            "result": req.result}


def record_export(session: Session, req: SubjectRequest, *, sha256: str, call_ids: list[str], actor: str,
                  role: str, now: datetime | None = None) -> None:
    """Audit an export and note it in the receipt: which file was handed out (by hash), when, by whom."""
    now = now or utcnow()
    entry = {"at": _iso(now), "sha256": sha256, "calls": len(call_ids), "by": actor}
    _set_result(req, {"exports": [*req.result.get("exports", []), entry]}, now)
    audit.record(session, actor, role, "subject.export", "subject_request", str(req.id),
                 {"calls": len(call_ids), "call_ids": call_ids, "sha256": sha256}, now=now)


# -------------------------------------------------------------------------------------------- erasure


def _legal_obligation_bases(register: Register) -> set[str]:
    return {k for k, b in register.legal_bases.items() if b.gdpr_article == LEGAL_OBLIGATION_ARTICLE}


def _footprint(session: Session, call: Call) -> dict[str, Any]:
    """What erasing ``call`` removes, counted before it goes (the receipt)."""
    n = call_row_counts(session, call.id)
    live = [a for a in call.artefacts if a.deleted_at is None]
    return {"artefacts": sorted(a.kind for a in live), "blobs": sum(1 for a in live if a.blob_key),
            "rows": {"turns": n.turns, "entities": n.entities, "classifications": n.classifications,
                     "provenance": n.provenance, "subject_index": n.subject_terms,
                     "corrections": n.corrections, "jobs": n.jobs}}


def _erase(session: Session, blobs: BlobStore, req: SubjectRequest, actor: str, role: str, now: datetime,
           register: Register) -> None:
    obligation = _legal_obligation_bases(register)
    deleted: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    hmacs = [t["hmac"] for t in req.terms]
    for m in req.matched_calls:
        ref = {"id": m["id"], "call_id": m["call_id"]}
        call = session.get(Call, uuid.UUID(m["id"]))
        if call is None:
            (deleted if match_of(m) == PARTY else mentions).append({**ref, "already_deleted": True})
            continue
        try:
            if match_of(m) == MENTION:  # another person's call: remove the mention, keep the call
                mentions.append({**ref, **_erase_mention(session, blobs, call, hmacs, actor, role, now)})
                session.commit()
                continue
            outcome = _erase_one(session, blobs, call, obligation, actor, role, now, request_id=req.id)
        except (OSError, BlobError, LegalHoldActive) as exc:  # a storage outage, or a hold put on just now
            session.rollback()
            failed.append({**ref, "reason": "legal_hold" if isinstance(exc, LegalHoldActive) else
                           "storage_error"})
            continue
        (deleted if outcome.pop("erased") else kept).append({**ref, **outcome})
        session.commit()  # one call at a time: its blobs are gone, its rows must follow now
    unfinished = failed or any(k["reason"] == "processing" or k["failed_artefacts"] for k in kept) or any(
        m.get("raw_kept") or m.get("turns_redacted") is False for m in mentions)
    _finish(session, req, "partial" if unfinished else "completed",
            {"deleted": deleted, "kept": kept, "failed": failed, "mentions": mentions}, actor, role, now)


def _erase_mention(session: Session, blobs: BlobStore, call: Call, hmacs: list[str], actor: str, role: str,
                   now: datetime) -> dict[str, Any]:
    """Erase the subject from a call that only mentions them (GDPR art. 17 for the subject, not the call's
    parties): their index terms go, the raw artefacts that hold the mention in clear go (the redacted
    transcript and audio the other person's call keeps are checked for the mention), the call stays."""
    removed = repo_subjects.delete_terms(session, call.id, hmacs, MENTION)
    raw_deleted, raw_kept = [], []
    for art in call.artefacts:
        if art.deleted_at is not None or art.kind not in _RAW_KINDS:
            continue
        if call.legal_hold or art.legal_hold:
            raw_kept.append({"artefact": art.kind, "reason": "legal_hold"})
        elif delete_artefact(session, blobs, art, now, reason="erasure"):
            raw_deleted.append(art.kind)
        else:
            raw_kept.append({"artefact": art.kind, "reason": "storage_error"})
    left = _mentions_left(session, call.id, set(hmacs))
    detail = {"call_kept": True, "index_terms_removed": removed, "raw_deleted": sorted(raw_deleted),
              "raw_kept": raw_kept, "turns_redacted": left == 0}
    audit.record(session, actor, role, "subject.erase_mention", "call", str(call.id),
                 {k: v for k, v in detail.items() if k != "call_kept"}, now=now)
    return detail


def _mentions_left(session: Session, call_id: uuid.UUID, hmacs: set[str]) -> int:
    """How many of the subject's identifiers the rule-based recognisers still find in the call's stored
    (redacted) turns and words: 0 when the mention is redacted everywhere a reader can see it."""
    from redaction import canonical_value

    found = 0
    for turn in turns_of(session, call_id):
        words = " ".join(str(w.get("text", "")) for w in turn.words or [] if not w.get("redacted"))
        for text in (turn.text, words):
            for span in _pattern_analyzer().analyze(text):
                kind = subject_index.KIND_FOR_ENTITY.get(span.type)
                value = canonical_value(kind, text[span.start:span.end]) if kind else None
                if kind is None or value is None:
                    continue
                try:
                    found += subject_index.index_terms(kind, value) in hmacs
                except subject_index.InvalidIdentifier:
                    continue
    return found


def _erase_one(session: Session, blobs: BlobStore, call: Call, obligation: set[str], actor: str, role: str,
               now: datetime, *, request_id: uuid.UUID | None = None) -> dict[str, Any]:
    live = [a for a in call.artefacts if a.deleted_at is None]
    if call.legal_hold or any(a.legal_hold for a in live):
        return _keep(session, call, "legal_hold", live, [], [], actor, role, now)
    if has_active_job(session, call.id):
        return _keep(session, call, "processing", live, [], [], actor, role, now)
    required = [a for a in live if a.legal_basis in obligation and a.retain_until > now]
    if required:
        removed: list[str] = []
        not_removed: list[str] = []
        for art in live:
            if art not in required:
                ok = delete_artefact(session, blobs, art, now, reason="erasure")
                (removed if ok else not_removed).append(art.kind)
        return _keep(session, call, "legal_obligation", required, sorted(removed), sorted(not_removed),
                     actor, role, now)
    receipt = _footprint(session, call)
    client, external_id = call.client, call.external_id
    erase_call(session, blobs, call.id, actor=actor, role=role, now=now)
    record_erased(session, client, external_id, request_id=request_id, now=now)
    audit.record(session, actor, role, "subject.erase_call", "call", str(call.id),
                 {"artefacts": receipt["artefacts"], "blobs": receipt["blobs"]}, now=now)
    return {"erased": True, **receipt}


def _keep(session: Session, call: Call, reason: str, basis: list[Artefact], removed: list[str],
          not_removed: list[str], actor: str, role: str, now: datetime) -> dict[str, Any]:
    """Keep a call that may not be erased now; restrict it so it serves only the purpose that keeps it."""
    restrict = reason != "processing"
    if restrict:
        call.restricted = True
        call.updated_at = now
    until = max((a.retain_until for a in basis), default=None)
    detail = {"erased": False, "reason": reason, "policies": sorted({a.policy for a in basis}),
              "legal_bases": sorted({a.legal_basis for a in basis}), "retain_until": _iso(until),
              "restricted": call.restricted, "kept_artefacts": sorted(a.kind for a in basis),
              "deleted_artefacts": removed, "failed_artefacts": not_removed}
    audit.record(session, actor, role, "subject.erasure_kept", "call", str(call.id),
                 {k: v for k, v in detail.items() if k != "erased"}, now=now)
    return detail


# ---------------------------------------------------------------------------------------- restriction


def _restrict(session: Session, req: SubjectRequest, on: bool, actor: str, role: str, now: datetime) -> None:
    """Restrict (or lift) the subject's own calls; a call that only mentions them is another person's and
    is listed under ``mentions``, unchanged."""
    done = []
    for cid in live_call_ids(session, req, match=PARTY):
        call = session.get(Call, cid)
        assert call is not None
        call.restricted = on
        call.updated_at = now
        audit.record(session, actor, role, "subject.restrict" if on else "subject.lift_restriction", "call",
                     str(cid), {"request": str(req.id)}, now=now)
        done.append({"id": str(cid), "call_id": call.external_id})
    mentions = [{"id": m["id"], "call_id": m["call_id"], "changed": False}
                for m in req.matched_calls if match_of(m) == MENTION]
    _finish(session, req, "completed", {"restricted" if on else "lifted": done, "mentions": mentions},
            actor, role, now)


# ------------------------------------------------------------------------------------- rectification


@lru_cache(maxsize=1)
def _redaction_analyzer() -> Any:
    """The pipeline's own analyzer (NER included), so a correction is redacted like the turn it corrects."""
    from models.nlp import default_analyzer

    return default_analyzer()[0]


def add_correction(
    session: Session, request_id: uuid.UUID, *, call_ref: str, turn_idx: int, text: str, actor: str,
    role: str, now: datetime | None = None, analyzer: Any = None,
) -> TurnCorrection:
    """Attach a correction to a turn of one of the request's calls. The correction is redacted before it is
    stored; the original turn is not changed. Caller commits."""
    from redaction import redact

    req = get_request(session, request_id)
    if req.kind != "rectification":
        raise WrongRequestKind("corrections belong to rectification requests")
    text = (text or "").strip()
    if not text:
        raise InvalidSubjectRequest("empty_correction", "the corrected text is empty")
    call = _request_call(session, req, call_ref)
    turn = turn_at(session, call.id, turn_idx)
    if turn is None:
        raise TurnNotFound("no such turn in this call")
    now = now or utcnow()
    result = redact(text, (analyzer or _redaction_analyzer()).analyze(text))
    types = sorted({s.type for s in result.spans})
    corr = TurnCorrection(call_id=call.id, turn_idx=turn_idx, request_id=req.id, original_text=turn.text,
                          corrected_text=result.text, redacted_types=types,
                          agent={"name": actor, "kind": "person", "role": role}, created_at=now)
    session.add(corr)
    session.flush()
    audit.record(session, actor, role, "subject.rectify", "call", str(call.id),
                 {"request": str(req.id), "turn": turn_idx, "correction": corr.id, "redacted": types}, now=now)
    entry = {"id": corr.id, "call_id": call.external_id, "turn": turn_idx, "at": _iso(now)}
    _finish(session, req, "completed", {"corrections": [*req.result.get("corrections", []), entry]},
            actor, role, now)
    return corr


def _request_call(session: Session, req: SubjectRequest, call_ref: str) -> Call:
    """One of the request's own (party) calls by its telephony call id (or internal id)."""
    found = [m for m in req.matched_calls if call_ref in (m["call_id"], m["id"])]
    if len(found) != 1:
        raise CallNotInRequest("the call is not one of this request's calls")
    if match_of(found[0]) != PARTY:
        raise CallNotInRequest("the person is only mentioned in this call: it is another person's call and is "
                               "not rectified through this request")
    ids = [found[0]["id"]]
    call = session.get(Call, uuid.UUID(ids[0]))
    if call is None:
        raise CallNotInRequest("the call no longer exists")
    return call


def corrections_of(session: Session, call_id: uuid.UUID) -> list[dict[str, Any]]:
    """The corrections of a call, oldest first, as ``call_document`` and the export show them."""
    rows = corrections_of_call(session, call_id)
    return [{"turn": c.turn_idx, "original_text": c.original_text, "corrected_text": c.corrected_text,
             "redacted_types": c.redacted_types, "request_id": str(c.request_id) if c.request_id else None,
             "provenance": {"activity": "rectification", "agent": c.agent, "endTime": _iso(c.created_at)}}
            for c in rows]


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None
