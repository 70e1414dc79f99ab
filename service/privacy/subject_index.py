"""Finding a data subject's calls without storing their identifiers: a keyed HMAC index.

Each term records its role: ``party`` when it came from the call's metadata (caller, callee, customer
number: the call is the person's own), ``mention`` when it was only spoken in the call (whoever said it).

An identifier heard in a call is normalised and stored as ``HMAC-SHA256(index_key, "kind:normalised")``.
A privacy officer looking up a subject's phone number computes the same HMAC; a stolen database without
the key reveals nothing (an unkeyed hash of a phone number is reversed by enumeration in seconds).

Normalisation makes different spellings of one identity meet, and nothing more:
- phone: E.164 via ``phonenumbers`` (region FI), so "040 123 4567" and "+358401234567" are one number;
- hetu: upper case with blanks removed, the century sign kept as written: "131052-308T" and "131052A308T"
  are different identities (the separator is part of the identity), never rewritten into each other;
- email: trimmed, lower case; iban: compact upper case; customer_number: without blanks and dashes, upper.
The rules are the ``normalise`` column of ``redaction.entities`` (one table of identifier types); this module
adds the key and the storage.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from redaction.entities import INDEX_KINDS, KIND_FOR_ENTITY, InvalidIdentifier, normalise_for_index
from service.store import repo_subjects
from service.store.models import SUBJECT_TERM_ROLES, Call, SubjectTerm

KINDS = INDEX_KINDS
# How an identifier belongs to a call: from its metadata (the person is a party of the call) or spoken in it
# (anyone may say anyone's number: the call is not thereby the person's).
PARTY, MENTION = SUBJECT_TERM_ROLES
ROLES = SUBJECT_TERM_ROLES
__all__ = ["KINDS", "KIND_FOR_ENTITY", "MENTION", "PARTY", "ROLES", "InvalidIdentifier", "add", "find_calls",
           "index_terms", "normalise", "replace_call"]


def normalise(kind: str, value: str) -> str:
    """The canonical spelling of an identifier of ``kind`` (raises ``InvalidIdentifier``)."""
    return normalise_for_index(kind, value)


def _key() -> bytes:
    from service.platform.config import get_settings

    return get_settings().index_key_bytes()


def index_terms(kind: str, value: str, *, key: bytes | None = None) -> str:
    """The index term (hex HMAC) of an identifier; the kind is part of the input (domain separation)."""
    msg = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(key if key is not None else _key(), msg, hashlib.sha256).hexdigest()


def _call_id(call: Call | uuid.UUID) -> uuid.UUID:
    return call.id if isinstance(call, Call) else call


def add(session: Session, call: Call | uuid.UUID, kind: str, value: str, *, role: str = MENTION,
        key: bytes | None = None) -> bool:
    """Index ``value`` for ``call`` as ``role`` (``PARTY`` for the call's metadata, ``MENTION`` for what was
    spoken); True if new. Idempotent (unique on hmac + call); a party term is never demoted to a mention, so
    the caller's own number said aloud still makes it their call. Caller commits."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    call_id, term = _call_id(call), index_terms(kind, value, key=key)
    found = repo_subjects.subject_term(session, term, call_id)
    if found is not None:
        if role == PARTY and found.role != PARTY:
            found.role = PARTY
            session.flush()
        return False
    try:
        with session.begin_nested():
            session.add(SubjectTerm(hmac=term, kind=kind, call_id=call_id, role=role))
            session.flush()
    except IntegrityError:
        return False
    return True


def replace_call(session: Session, call: Call | uuid.UUID, identifiers: Iterable[tuple[str, str]], *,
                 key: bytes | None = None, skip_invalid: bool = True) -> int:
    """Replace the spoken (``MENTION``) terms of a call with ``(kind, value)`` pairs (a pipeline re-run);
    returns terms stored. The call's metadata (``PARTY``) terms stay: a re-run does not change who called.

    Values that cannot be normalised (an ASR fragment that only looked like a number) are skipped unless
    ``skip_invalid`` is False. Call it in the same transaction as ``replace_call_results``.
    """
    call_id = _call_id(call)
    terms: dict[str, str] = {}
    for kind, value in identifiers:
        try:
            terms[index_terms(kind, value, key=key)] = kind
        except InvalidIdentifier:
            if not skip_invalid:
                raise
    repo_subjects.delete_terms_of_role(session, call_id, MENTION)
    party = repo_subjects.term_hmacs(session, call_id)
    session.add_all(SubjectTerm(hmac=h, kind=k, call_id=call_id, role=MENTION)
                    for h, k in terms.items() if h not in party)
    session.flush()
    return len(terms)


def find_calls(session: Session, identifiers: Iterable[tuple[str, str]], *, role: str | None = None,
               key: bytes | None = None) -> set[uuid.UUID]:
    """Calls holding any of the subject's ``(kind, value)`` identifiers (of ``role`` only, if given)."""
    terms = {index_terms(kind, value, key=key) for kind, value in identifiers}
    if not terms:
        return set()
    return repo_subjects.calls_with_terms(session, terms, role=role)
