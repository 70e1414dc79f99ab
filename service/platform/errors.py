"""The kinds of domain error: what went wrong, said once, without HTTP.

Domain code (ingest, review, subject requests, call views) raises subclasses of these kinds; the front doors
decide what a kind looks like: ``service.api.errors`` maps each kind to one HTTP status and a problem JSON
body, and the web UI renders an error page for the same kinds. So a new domain error picks a kind and a
``code``, and no route needs an ``except`` to translate it.

Every error carries a stable machine ``code`` (the API's ``error`` field) and a message that never quotes
personal data (it is shown to callers and may be logged). Kinds subclass the built-in exception that best
says the same (``LookupError``, ``ValueError``, ``PermissionError``), so callers that catch those keep working.

A class that belongs to two kinds lists the kind that decides its status first: the first kind in the method
resolution order wins (``UnderLegalHold`` is a ``NotReviewable`` report, but a ``Conflict`` with the call's
state).
"""

from __future__ import annotations


class DomainError(Exception):
    """A domain failure with a stable ``code`` and a PII-free message.

    ``code`` defaults to the class's own; pass ``code=`` where one class carries several (``InvalidSubjectRequest``).
    """

    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError, LookupError):
    """No such thing for this caller (absent, or hidden from them)."""

    code = "not_found"


class Conflict(DomainError):
    """The request is well formed but the thing's current state does not allow it."""

    code = "conflict"


class Invalid(DomainError, ValueError):
    """The request itself is wrong (a bad value, a selection outside the text)."""

    code = "invalid_request"


class Forbidden(DomainError, PermissionError):
    """This person may not do this, whatever they send (four eyes, separation of duties)."""

    code = "forbidden"


class Unavailable(DomainError):
    """A store or service needed for the answer is not there right now; the same request may succeed later."""

    code = "unavailable"


class StorageFull(Unavailable):
    """The storage is full; the same request may succeed once space is freed."""

    code = "storage_full"


KINDS: tuple[type[DomainError], ...] = (NotFound, Conflict, Invalid, Forbidden, Unavailable, StorageFull)


def kind_of(exc: DomainError) -> type[DomainError]:
    """The kind that decides how ``exc`` is shown: the first kind in its class's method resolution order
    (``DomainError`` itself for an error of no kind)."""
    return next((k for k in type(exc).__mro__ if k in KINDS), DomainError)
