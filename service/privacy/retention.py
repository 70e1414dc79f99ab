"""Retention: which policy tags an artefact, and the sweeper that deletes what has expired.

The privacy notice promises data is kept only as long as a basis exists. So every artefact is tagged when
stored (``tags_for``), and ``sweep`` deletes expired blobs and the rows derived from them, leaving a PII-free
tombstone and an audit entry. A call with nothing left is purged entirely (metadata, subject index, jobs).

Precedence when several policies apply: the longest retention wins (its purpose and legal basis are the
ones recorded), and a legal hold from any of them wins. The sweeper never touches a call under legal hold
or one whose job is still active (its original audio is the input of processing). Holds are of two kinds
kept apart: a policy hold is on the artefact (``Artefact.legal_hold``, from the tag), a manual hold is on
the call (``Call.legal_hold``, ``set_legal_hold``); lifting the manual one never lifts a policy's.

What the service records about its own processing has a retention too (``records:`` in retention.yaml):
webhook deliveries, subject requests (minimised once completed, deleted later), tombstones, the audit log.
A call that is purged or erased leaves no telephony call id behind in its webhook delivery.

Blob deletion cannot be rolled back, so the sweep and the erasure lock the call row (``FOR UPDATE``) and
read its holds again before deleting: a hold committed meanwhile wins. A storage error on one object
(``OSError`` from files, ``BlobError`` from S3) leaves that artefact for the next sweep and is counted in
the report; it never stops the sweep.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.blobstore import BlobError, BlobStore
from service.platform.durations import Duration, parse_duration
from service.platform.yaml_models import load_yaml_model
from service.privacy import audit
from service.privacy.register import RECORD_KINDS, Register, RegisterError
from service.store.kinds import ArtefactKind
from service.store.models import Artefact, Call, Tombstone
from service.store.records import RetentionTag
from service.store.repo_artefacts import artefacts_of
from service.store.repo_calls import delete_deliveries_before, detach_deliveries
from service.store.repo_jobs import has_active_job
from service.store.repo_results import delete_classifications, delete_corrections, delete_entities, delete_turns
from service.store.repo_retention import (
    calls_with_due_artefacts,
    delete_erased_calls_before,
    delete_tombstones_before,
    due_artefacts,
    purgeable_calls,
)
from service.store.repo_rights import delete_choices_before, delete_rights_items
from service.store.repo_subjects import completed_requests_before, delete_requests_before
from service.store.search import purge_residue

__all__ = ["RetentionTag", "erase_call", "set_legal_hold", "sweep", "tags_for"]

log = logging.getLogger(__name__)

OPT_INS = frozenset({"keep_original_audio", "keep_raw_transcript"})
SYSTEM_ACTOR = "system:retention"


class RetentionConfigError(ValueError):
    pass


class LegalHoldActive(RuntimeError):
    """Erasure refused: the call is under legal hold (GDPR art. 17(3)(e)); lift the hold first."""


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    kinds: list[ArtefactKind] = Field(min_length=1)
    retain: str
    purpose: str
    legal_basis: str
    when: dict[str, str | list[str]] = {}
    opt_in: str | None = None
    legal_hold: bool = False

    @field_validator("retain")
    @classmethod
    def _retain(cls, v: str) -> str:
        parse_duration(v)
        return v

    @field_validator("opt_in")
    @classmethod
    def _opt_in(cls, v: str | None) -> str | None:
        if v is not None and v not in OPT_INS:
            raise ValueError(f"unknown opt_in {v!r} (one of {', '.join(sorted(OPT_INS))})")
        return v

    @property
    def duration(self) -> Duration:
        return parse_duration(self.retain)

    @property
    def unconditional(self) -> bool:
        return not self.when and self.opt_in is None

    def applies(self, kind: ArtefactKind, labels: set[tuple[str, str]], opt_ins: set[str]) -> bool:
        if kind not in self.kinds or (self.opt_in is not None and self.opt_in not in opt_ins):
            return False
        for ckind, wanted in self.when.items():
            allowed = {wanted} if isinstance(wanted, str) else set(wanted)
            if not any((ckind, label) in labels for label in allowed):
                return False
        return True


class RecordPolicy(BaseModel):
    """How long a kind of processing record (not call content) is kept, and why.

    ``minimise_after`` (subject requests only): once a request is completed this long, the keyed identifier
    terms and the telephony call ids are dropped; what remains is the controller's receipt (internal ids,
    kinds, counts) until ``retain`` has passed since the request was made.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    retain: str
    purpose: str
    legal_basis: str
    minimise_after: str | None = None

    @field_validator("retain", "minimise_after")
    @classmethod
    def _duration(cls, v: str | None) -> str | None:
        if v is not None:
            parse_duration(v)
        return v

    @property
    def duration(self) -> Duration:
        return parse_duration(self.retain)


class RetentionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    policies: dict[str, Policy] = Field(min_length=1)
    records: dict[str, RecordPolicy]

    @model_validator(mode="after")
    def _every_kind_covered(self) -> RetentionConfig:
        covered = {k for p in self.policies.values() if p.unconditional for k in p.kinds}
        missing = sorted(k.value for k in ArtefactKind if k not in covered)
        if missing:
            raise ValueError(f"artefact kinds without an unconditional policy: {', '.join(missing)}")
        unknown = sorted(set(self.records) - RECORD_KINDS)
        if unknown:
            raise ValueError(f"records: unknown record kinds {', '.join(unknown)} "
                             f"(one of {', '.join(sorted(RECORD_KINDS))})")
        missing = sorted(RECORD_KINDS - set(self.records))
        if missing:
            raise ValueError(f"records without a retention: {', '.join(missing)}")
        return self

    def check_against(self, register: Register) -> None:
        """Every purpose and legal basis must exist in the register, and the purpose must allow the basis."""
        named = [(f"policy {n!r}", p.purpose, p.legal_basis) for n, p in self.policies.items()]
        named += [(f"records.{n}", r.purpose, r.legal_basis) for n, r in self.records.items()]
        for where, purpose, basis in named:
            try:
                register.check_purpose(purpose, basis)
            except RegisterError as exc:
                raise RetentionConfigError(f"{where}: {exc}") from None

    def tag(self, kind: ArtefactKind | str, classifications: Any, now: datetime,
            opt_ins: Iterable[str] = ()) -> RetentionTag:
        kind = ArtefactKind(kind)
        labels, opts = _label_pairs(classifications), set(opt_ins)
        applicable = [(name, p) for name, p in self.policies.items() if p.applies(kind, labels, opts)]
        # Longest wins; on a tie the more specific (conditional) policy, then the one declared first.
        name, best = max(applicable, key=lambda np: (np[1].duration.approx_days(), not np[1].unconditional))
        return RetentionTag(policy=name, purpose=best.purpose, legal_basis=best.legal_basis,
                            retain_until=best.duration.after(now),
                            legal_hold=any(p.legal_hold for _, p in applicable))


def _label_pairs(classifications: Any) -> set[tuple[str, str]]:
    """Accept ``{kind: label | [labels]}``, ``[(kind, label)]`` or objects with ``.kind``/``.label``."""
    pairs: set[tuple[str, str]] = set()
    if classifications is None:
        return pairs
    if isinstance(classifications, Mapping):
        for k, v in classifications.items():
            pairs.update((k, lab) for lab in ([v] if isinstance(v, str) else v))
        return pairs
    for item in classifications:
        if hasattr(item, "kind") and hasattr(item, "label"):
            pairs.add((item.kind, item.label))
        else:
            k, v = item
            pairs.add((k, v))
    return pairs


def load_retention(path: Path, register: Register | None = None) -> RetentionConfig:
    cfg = load_yaml_model(path, RetentionConfig, "retention config", RetentionConfigError)
    if register is not None:
        cfg.check_against(register)
    return cfg


@lru_cache(maxsize=4)
def _cached(path: str, register_path: str) -> RetentionConfig:
    from service.privacy.register import load_register

    return load_retention(Path(path), load_register(Path(register_path)))


def get_retention() -> RetentionConfig:
    """The retention config named by the settings, checked against the register (cached)."""
    from service.platform.config import get_settings

    s = get_settings()
    return _cached(str(s.retention_config), str(s.register_file))


def opt_ins_from_settings(settings: Any) -> set[str]:
    """The opt-in flags that are on in ``settings`` (``keep_original_audio``, ``keep_raw_transcript``)."""
    return {name for name in OPT_INS if getattr(settings, name, False)}


def tags_for(
    kind: ArtefactKind | str, classifications: Any, now: datetime, *, opt_ins: Iterable[str] = (),
    config: RetentionConfig | None = None,
) -> RetentionTag:
    """The retention tag of an artefact of ``kind`` of a call classified as ``classifications``."""
    return (config or get_retention()).tag(kind, classifications, now, opt_ins)


# ----------------------------------------------------------------------------------------------- sweeping


@dataclass(frozen=True)
class SweptArtefact:
    call_id: uuid.UUID
    kind: str
    policy: str
    retain_until: datetime


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    deleted: list[SweptArtefact] = field(default_factory=list)
    calls_purged: list[uuid.UUID] = field(default_factory=list)
    skipped_hold: int = 0
    skipped_active: int = 0
    errors: int = 0
    records: dict[str, int] = field(default_factory=dict)  # processing records deleted or minimised, by kind

    def to_dict(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for d in self.deleted:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        return {"now": self.now.isoformat(), "dry_run": self.dry_run, "artefacts_deleted": len(self.deleted),
                "by_kind": kinds, "calls_purged": len(self.calls_purged), "skipped_hold": self.skipped_hold,
                "skipped_active": self.skipped_active, "errors": self.errors, "records": self.records}


def _delete_rows_of(session: Session, art: Artefact) -> None:
    """Delete the database rows that make up an artefact (blobs are deleted by the caller)."""
    if art.kind == ArtefactKind.REDACTED_TRANSCRIPT:
        delete_turns(session, art.call_id)
        # A correction quotes the turn it corrects: it cannot outlive the transcript.
        delete_corrections(session, art.call_id)
    elif art.kind == ArtefactKind.ENTITIES:
        delete_entities(session, art.call_id)
    elif art.kind == ArtefactKind.CLASSIFICATION:
        delete_classifications(session, art.call_id)
    elif art.kind == ArtefactKind.RIGHTS_ITEMS:
        delete_rights_items(session, art.call_id)


def sweep(session: Session, blobstore: BlobStore, now: datetime | None = None, dry_run: bool = False,
          config: RetentionConfig | None = None) -> SweepReport:
    """Delete every artefact whose ``retain_until`` has passed, purge calls left with nothing, then apply
    the retention of processing records (``config.records``; default: the service's retention config).

    Commits after each call (blob deletion cannot be rolled back, so the rows follow at once); a crash
    mid-way leaves at most one call whose blobs are gone but rows remain, and the next sweep finishes it
    (deleting a missing blob is not an error).
    """
    now = now or utcnow()
    report = SweepReport(now=now, dry_run=dry_run)
    due_calls = calls_with_due_artefacts(session, now)
    planned: set[int] = set()
    for call_id in sorted(due_calls, key=str):
        _sweep_call(session, blobstore, call_id, now, dry_run, report, planned)
    for call in purgeable_calls(session, planned):
        if dry_run:
            report.calls_purged.append(call.id)
            continue
        locked = session.get(Call, call.id, with_for_update=True, populate_existing=True)
        if locked is None or locked.legal_hold:
            session.rollback()
            continue
        try:
            _purge_call(session, blobstore, locked, now, reason="retention", actor=SYSTEM_ACTOR, role="system")
        except (OSError, BlobError) as exc:
            session.rollback()
            report.errors += 1
            log.error("retention: cannot purge call %s (%s)", call.id, type(exc).__name__)
            continue
        session.commit()
        report.calls_purged.append(call.id)
    if not dry_run:
        if report.deleted or report.calls_purged:
            purge_residue(session)
        report.records = sweep_records(session, now, config or get_retention())
        session.commit()
    log.info("retention sweep: %s", report.to_dict())
    return report


def _sweep_call(session: Session, blobstore: BlobStore, call_id: uuid.UUID, now: datetime, dry_run: bool,
                report: SweepReport, planned: set[int]) -> None:
    """Delete one call's due artefacts, the call row locked so that a hold taken meanwhile is seen."""
    call = session.get(Call, call_id, with_for_update=not dry_run, populate_existing=True)
    arts = due_artefacts(session, call_id, now)
    if call is None or not arts:
        session.rollback()
        return
    if call.legal_hold or has_active_job(session, call_id):
        if call.legal_hold:
            report.skipped_hold += len(arts)
        else:
            report.skipped_active += len(arts)
        session.rollback()
        return
    done = []
    for art in arts:
        if art.legal_hold:
            report.skipped_hold += 1
            continue
        if not dry_run and not delete_artefact(session, blobstore, art, now, reason="retention"):
            report.errors += 1
            continue
        planned.add(art.id)
        done.append(art)
        report.deleted.append(SweptArtefact(call_id, art.kind, art.policy, art.retain_until))
    if done and not dry_run:
        audit.record(session, SYSTEM_ACTOR, "system", "retention.delete", "call", str(call_id),
                     {"kinds": [a.kind for a in done], "policies": sorted({a.policy for a in done})},
                     now=now)
    if dry_run:
        session.rollback()
    else:
        session.commit()


def delete_artefact(session: Session, blobstore: BlobStore, art: Artefact, now: datetime,
                     reason: str) -> bool:
    if art.blob_key:
        try:
            blobstore.delete(art.blob_key)
        except (OSError, BlobError) as exc:  # the artefact stays for the next sweep
            log.error("retention: cannot delete blob of artefact %s (%s)", art.id, type(exc).__name__)
            return False
    _delete_rows_of(session, art)
    art.deleted_at = now
    art.sha256 = None  # a plain digest of the content (the recording's, too) must not outlive it
    session.add(Tombstone(object_type="artefact", kind=art.kind, call_id=art.call_id, deleted_at=now,
                          policy=art.policy, reason=reason))
    return True


def _purge_call(session: Session, blobstore: BlobStore, call: Call, now: datetime, *, reason: str,
                actor: str, role: str, policy: str | None = None) -> None:
    for art in artefacts_of(session, call.id):
        if art.blob_key:
            blobstore.delete(art.blob_key)  # already gone for swept ones; idempotent
    session.add(Tombstone(object_type="call", kind=None, call_id=call.id, deleted_at=now, policy=policy,
                          reason=reason))
    audit.record(session, actor, role, f"{reason}.purge_call", "call", str(call.id), {}, now=now)
    _blank_deliveries(session, call.id)
    session.delete(call)  # cascades: jobs, turns, entities, artefacts, classifications, provenance, index
    session.flush()


GONE_RESPONSE = {"error": "gone", "detail": "this delivery's call no longer exists"}


def _blank_deliveries(session: Session, call_id: uuid.UUID) -> None:
    """Forget which call a webhook delivery created: its stored answer named the telephony call id.

    The row itself stays until ``records.webhook_deliveries`` expires it (the signature tolerance plus the
    sender's retry horizon), so a late retry of the same delivery is answered 410 and does not re-create
    the erased call.
    """
    detach_deliveries(session, call_id, response=GONE_RESPONSE, status_code=410)


def sweep_records(session: Session, now: datetime, config: RetentionConfig) -> dict[str, int]:
    """Apply ``config.records``: delete expired deliveries, subject requests and tombstones, minimise
    completed subject requests. Returns counts by kind. Caller commits.

    The audit log's oldest rows go through ``audit.prune``, which leaves a keyed checkpoint so that the chain
    still verifies from the first kept row.
    """
    rec = config.records
    out: dict[str, int] = {}

    def cutoff(kind: str) -> datetime:
        return _before(now, rec[kind].duration)

    out["webhook_deliveries"] = delete_deliveries_before(session, cutoff("webhook_deliveries"))
    out["subject_requests"] = delete_requests_before(session, cutoff("subject_requests"))
    out["subject_requests_minimised"] = _minimise_requests(session, now, rec["subject_requests"])
    out["tombstones"] = delete_tombstones_before(session, cutoff("tombstones"))
    # The "erased on request" digests are proof of deletion like the tombstones, and expire with them.
    out["erased_calls"] = delete_erased_calls_before(session, cutoff("tombstones"))
    out["marketing_choices"] = delete_choices_before(session, cutoff("marketing_choices"))
    out["audit_log"] = audit.prune(session, cutoff("audit_log"), actor=SYSTEM_ACTOR, role="system", now=now)
    session.flush()
    return out


def _minimise_requests(session: Session, now: datetime, policy: RecordPolicy) -> int:
    """Completed requests past the grace period lose their HMAC terms and the telephony call ids."""
    if policy.minimise_after is None:
        return 0
    before = _before(now, parse_duration(policy.minimise_after))
    n = 0
    for req in completed_requests_before(session, before):
        matched = [_without_external_ids(m) for m in req.matched_calls]
        result = {k: [_without_external_ids(x) for x in v] if isinstance(v, list) else v
                  for k, v in req.result.items()}
        if req.terms or matched != req.matched_calls or result != req.result:
            req.terms, req.matched_calls, req.result = [], matched, result  # new objects: JSON columns
            n += 1
    return n


def _without_external_ids(item: Any) -> Any:
    return {k: v for k, v in item.items() if k != "call_id"} if isinstance(item, dict) else item


def _before(now: datetime, duration: Duration) -> datetime:
    """``now`` minus a calendar duration: the moment whose ``duration.after`` is ``now`` (near enough)."""
    approx = now - timedelta(days=duration.approx_days())
    return approx if duration.after(approx) <= now else approx - timedelta(days=1)


def erase_call(session: Session, blobstore: BlobStore, call_id: uuid.UUID, *, actor: str, role: str,
               now: datetime | None = None) -> bool:
    """Erase one call entirely (a data-subject erasure request). Returns False if there is no such call.

    Refuses with ``LegalHoldActive`` while the call or any artefact is under legal hold (read with the
    call row locked, so a hold committed a moment ago is seen). Caller commits.
    """
    call = session.get(Call, call_id, with_for_update=True, populate_existing=True)
    if call is None:
        return False
    session.refresh(call, ["artefacts"])
    if call.legal_hold or any(a.legal_hold for a in call.artefacts if a.deleted_at is None):
        raise LegalHoldActive(f"call {call_id} is under legal hold")
    now = now or utcnow()
    for art in call.artefacts:
        if art.deleted_at is None:
            session.add(Tombstone(object_type="artefact", kind=art.kind, call_id=call_id, deleted_at=now,
                                  policy=art.policy, reason="erasure"))
    _purge_call(session, blobstore, call, now, reason="erasure", actor=actor, role=role)
    purge_residue(session)
    return True


def set_legal_hold(session: Session, call_id: uuid.UUID, on: bool, *, actor: str, role: str,
                   now: datetime | None = None, detail: dict[str, Any] | None = None) -> Call | None:
    """Put a call under a manual legal hold, or lift it. Caller commits.

    Only the call's own flag changes: holds that artefacts carry from a retention policy stay (lifting a
    manual hold must not release evidence a policy keeps). Both kinds stop the sweep and erasure.
    """
    call = session.get(Call, call_id, with_for_update=True)
    if call is None:
        return None
    call.legal_hold = on
    audit.record(session, actor, role, "retention.hold_on" if on else "retention.hold_off", "call",
                 str(call_id), detail or {}, now=now)
    return call
