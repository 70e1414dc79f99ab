"""ORM tables of the service. Schema changes go through an Alembic revision in ``alembic/versions``.

Design rules visible here:
- No raw identifier is ever a column: turns hold redacted text, entities hold offsets of placeholders,
  the subject index holds keyed HMACs, tombstones and the audit log hold ids and kinds only.
- Idempotency lives in unique constraints (webhook id per client, external call id per client, one artefact
  of a kind per call), so concurrent retries cannot create anything twice whatever the application does.
- Every artefact row carries its data category, source and retention tags.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.provenance import utcnow
from service.store.kinds import ArtefactKind, JobState, Role
from service.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON(),
    }


class WebhookDelivery(Base):
    """One accepted webhook delivery; a retry with the same id gets the stored response back."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("client", "webhook_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    webhook_id: Mapped[str] = mapped_column(String(200))
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the retention sweep's key


class Call(Base):
    """One recording as the telephony system described it: non-PII metadata only."""

    __tablename__ = "calls"
    __table_args__ = (UniqueConstraint("client", "external_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(200))
    audio_sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    direction: Mapped[str | None] = mapped_column(String(16))
    queue: Mapped[str | None] = mapped_column(String(100))
    agent_id: Mapped[str | None] = mapped_column(String(100))
    channels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    duration_s: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who put the manual hold on, when and why (shown on the call page; the reason quotes no identifier).
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    legal_hold_by: Mapped[str | None] = mapped_column(String(100))
    legal_hold_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jobs: Mapped[list[Job]] = relationship(back_populates="call", cascade="all, delete-orphan",
                                           passive_deletes=True, order_by="Job.id")
    turns: Mapped[list[Turn]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                             order_by="Turn.idx")
    entities: Mapped[list[Entity]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                  order_by=lambda: (Entity.turn_idx, Entity.start))
    artefacts: Mapped[list[Artefact]] = relationship(back_populates="call", cascade="all, delete-orphan",
                                                     passive_deletes=True, order_by="Artefact.id")
    classifications: Mapped[list[Classification]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Classification.id")
    provenance: Mapped[list[Provenance]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                        order_by="Provenance.id")
    subject_terms: Mapped[list[SubjectTerm]] = relationship(cascade="all, delete-orphan",
                                                            passive_deletes=True)


class Job(Base):
    """Processing state of one call; claimed by one worker at a time (``locked_by`` + heartbeat)."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("state", JobState), name="state"),
        Index("ix_jobs_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))  # a PII-free reason (exception type, stage)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="jobs")


class Turn(Base):
    """One speaker turn of the redacted transcript (placeholders in place of identifiers)."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("call_id", "idx"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(32))
    channel: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]] = mapped_column(default=list)  # redacted words with times, for audio seek


class Entity(Base):
    """A detected identifier: where its placeholder sits in the redacted turn text, never its value."""

    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    turn_idx: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    t_start: Mapped[float | None] = mapped_column(Float)
    t_end: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    recognizer: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Artefact(Base):
    """A stored product of a call (blob or rows) with its data category, source and retention tags."""

    __tablename__ = "artefacts"
    __table_args__ = (
        UniqueConstraint("call_id", "kind"),
        CheckConstraint(_in("kind", ArtefactKind), name="kind"),
        Index("ix_artefacts_retain_until", "retain_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    blob_key: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    data_category: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(60))
    policy: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(80))
    legal_basis: Mapped[str] = mapped_column(String(80))
    retain_until: Mapped[datetime]
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="artefacts")


class Classification(Base):
    """One label about a call (call reason, PII categories present ...) and how it was obtained."""

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    score: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(100))
    artefact_id: Mapped[int | None] = mapped_column(ForeignKey("artefacts.id", ondelete="SET NULL"))
    # A conversation measure (``service.pipeline.analytics``): its number and unit; NULL for a label.
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))


class Provenance(Base):
    """One stage run (W3C PROV shape: activity, agent, used, generated), optionally tied to an artefact."""

    __tablename__ = "provenance"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    artefact_id: Mapped[int | None] = mapped_column(ForeignKey("artefacts.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(60))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    agent: Mapped[dict[str, Any]] = mapped_column(default=dict)
    used: Mapped[dict[str, Any]] = mapped_column(default=dict)
    generated: Mapped[dict[str, Any]] = mapped_column(default=dict)


# party: the identifier is in the call's metadata (caller, callee, customer number), so the call is the
# person's own; mention: it was only spoken in the call, by whoever, so the call may be someone else's.
SUBJECT_TERM_ROLES = ("party", "mention")


class SubjectTerm(Base):
    """Keyed HMAC of a normalised identifier of a call: finds calls for data-subject requests.

    ``role`` keeps how the identifier belongs to the call (``SUBJECT_TERM_ROLES``): a person's own calls are
    those they are a party of; a call that only mentions them is another person's call.
    """

    __tablename__ = "subject_index"
    __table_args__ = (UniqueConstraint("hmac", "call_id"),
                      CheckConstraint(_in("role", SUBJECT_TERM_ROLES), name="role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hmac: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="mention", server_default="mention")


class Tombstone(Base):
    """What was deleted, when, under which policy: proof of deletion without the data (no FK on purpose)."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40))  # artefact | call
    kind: Mapped[str | None] = mapped_column(String(40))
    call_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the retention sweep's key
    policy: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(String(40))  # retention | erasure


class ErasedCall(Base):
    """A call erased on a data subject's request, for the "erased on request" page (security review #11).

    Only a keyed digest of ``(client, telephony call id)`` is kept, never the id itself: a URL's id can be
    checked against it, but the table does not tell anyone which calls were erased.
    """

    __tablename__ = "erased_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(100), index=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class AuditEntry(Base):
    """One append-only, hash-chained audit record. ``prev_hash`` is unique: the chain cannot fork."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class User(Base):
    """A named person with a role; authenticates with personal API tokens (or a password for the UI)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an admin made the password: it only opens the page that replaces it (review #7).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Per-account guessing limit, in the database so every process and address shares it (review #18).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None]

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                  passive_deletes=True)


class ApiToken(Base):
    """A personal API token, stored only as its sha256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: until revoked
    label: Mapped[str | None] = mapped_column(String(100))  # the owner's name for it, to revoke the right one

    user: Mapped[User] = relationship(back_populates="tokens")


class BrowserSession(Base):
    """One browser login, server-side, so that logout, a password change or a disable really end it.

    The cookie carries a random session id; only its sha256 is stored, so a database dump holds no usable
    session. ``last_seen_at`` drives the idle timeout; ``ended_at`` is set on logout and account changes.
    """

    __tablename__ = "browser_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie's session id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


# ---------------------------------------------------------------------------------- data-subject requests

SUBJECT_REQUEST_KINDS = ("access", "erasure", "restriction", "lift_restriction", "rectification")
# open: waiting for the officer (a rectification takes its corrections after creation); partial: some calls
# could not be handled now (still being processed, storage error) and the request should be made again;
# pending_approval: an erasure waiting for a second privacy officer to confirm it (four eyes).
SUBJECT_REQUEST_STATUSES = ("open", "completed", "partial", "pending_approval", "rejected")
# How the person's identity was verified; NULL on requests made before the method was asked (free text).
VERIFICATION_METHODS = ("id_document", "strong_electronic_id", "known_contact_callback", "in_person")


class SubjectRequest(Base):
    """A data-subject request (GDPR art. 15–18, 20): what was asked, how identity was verified, what was done.

    It holds the keyed HMAC index terms of the identifiers the person gave, never the identifiers. The
    matched calls are JSON, not foreign keys: the request is the controller's record of an erasure it carried
    out and must outlive the calls it erased.
    """

    __tablename__ = "subject_requests"
    __table_args__ = (
        CheckConstraint(_in("kind", SUBJECT_REQUEST_KINDS), name="kind"),
        CheckConstraint(_in("status", SUBJECT_REQUEST_STATUSES), name="status"),
        CheckConstraint(f"verification_method IS NULL OR {_in('verification_method', VERIFICATION_METHODS)}",
                        name="verification_method"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_role: Mapped[str] = mapped_column(String(40))
    terms: Mapped[list[Any]] = mapped_column(default=list)  # [{"kind": "phone", "hmac": "<hex>"}]
    verification: Mapped[str] = mapped_column(Text)  # the evidence reference; must not quote identifiers
    verification_method: Mapped[str | None] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(100))  # the second officer of an erasure
    approved_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    matched_calls: Mapped[list[Any]] = mapped_column(default=list)  # [{"id", "call_id", "matched_by"}]
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the receipt; ids, kinds, counts only
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]


class TurnCorrection(Base):
    """A rectification (GDPR art. 16) of one transcript turn: the original text is kept beside the correction.

    ``original_text`` is the redacted turn as it read when corrected (a later re-run may replace the turn);
    ``corrected_text`` went through the same redaction as the pipeline's output. ``agent`` is the PROV agent
    who made it: a person, never software.
    """

    __tablename__ = "turn_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    turn_idx: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subject_requests.id", ondelete="SET NULL"), index=True)
    original_text: Mapped[str] = mapped_column(Text)
    corrected_text: Mapped[str] = mapped_column(Text)
    redacted_types: Mapped[list[Any]] = mapped_column(default=list)  # entity types replaced in the correction
    agent: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ------------------------------------------------------------------------------------ the QA workbench

class CallReview(Base):
    """A call marked as reviewed by a QA reviewer: who, when, and a short comment. One per call; unmarking
    deletes it (the audit log keeps the history)."""

    __tablename__ = "call_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    reviewer: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str | None] = mapped_column(String(500))


class ScorecardAnswer(Base):
    """A filled-in scorecard of a call: the answers by question id, the weighted score (0..100 or NULL when
    every question was answered n/a) and which scorecard (id and version) the answers belong to."""

    __tablename__ = "scorecard_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    scorecard: Mapped[str] = mapped_column(String(100))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    reviewer: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


REDACTION_REPORT_KINDS = ("over_redaction",)
OVER_REDACTION_REASONS = ("not_personal", "public_information", "company_data", "other")


class RedactionReport(Base):
    """A reviewer's report that a redaction was wrong ("not an identifier"). It changes nothing: a privacy
    officer decides later. The chip is named by its place (turn, offsets, type), not by an entity row id,
    because a re-run replaces the entity rows and the report must outlive that."""

    __tablename__ = "redaction_reports"
    __table_args__ = (CheckConstraint(_in("kind", REDACTION_REPORT_KINDS), name="kind"),
                      CheckConstraint(_in("reason", OVER_REDACTION_REASONS), name="reason"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    turn_idx: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    entity_type: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(40))
    reviewer: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ------------------------------------------------------------------ requests said in a call (issue 14)

RIGHTS_ITEM_STATUSES = ("pending", "confirmed", "rejected")
MARKETING_CHOICES = ("prohibit", "consent")
MARKETING_CHOICE_STATUSES = ("verified", "withdrawn")


class RightsItem(Base):
    """A request the customer said in a call, waiting for the privacy officer: the detector's evidence (turn,
    time range, cue words from the redacted text) and the officer's decision. Nothing is acted on while it is
    ``pending``; a confirmed rights request continues as a ``SubjectRequest``, a marketing choice as a
    ``MarketingChoice``. Part of the call's ``rights_items`` artefact: it goes with the call's retention.
    """

    __tablename__ = "rights_items"
    __table_args__ = (CheckConstraint(_in("status", RIGHTS_ITEM_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    turn_idx: Mapped[int] = mapped_column(Integer)
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    cues: Mapped[list[Any]] = mapped_column(default=list)
    score: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subject_requests.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MarketingChoice(Base):
    """A verified direct-marketing prohibition or consent (register category ``suoramarkkinointi``).

    A register entry, not call content: it outlives the call it was said in (``call_id`` goes NULL) and keeps
    the source call's client and telephony call id, and the subject's keyed identifier terms (HMACs only), so
    the CRM can apply it. Retention: ``records.marketing_choices`` in retention.yaml, from ``verified_at``.
    """

    __tablename__ = "marketing_choices"
    __table_args__ = (
        CheckConstraint(_in("choice", MARKETING_CHOICES), name="choice"),
        CheckConstraint(_in("status", MARKETING_CHOICE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(16))  # None: every channel
    choice: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="verified")
    source: Mapped[str] = mapped_column(String(40), default="rekisteroity")
    client: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(200))
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("rights_items.id", ondelete="SET NULL"))
    terms: Mapped[list[Any]] = mapped_column(default=list)  # [{"kind": "phone", "hmac": "<hex>"}]
    verified_by: Mapped[str] = mapped_column(String(100))
    verified_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
