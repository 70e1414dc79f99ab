"""Retention: which policy tags an artefact, and the sweeper that deletes what has expired.

The privacy notice promises data is kept only as long as a basis exists. So every artefact is tagged when
stored (``tags_for``), and ``sweep`` deletes expired blobs and the rows derived from them, leaving a PII-free
tombstone and an audit entry. A call with nothing left is purged entirely (metadata, subject index, jobs).

Precedence when several policies apply: the longest retention wins (its purpose and legal basis are the
ones recorded), and a legal hold from any of them wins. The sweeper never touches a call under legal hold
or one whose job is still active (its original audio is the input of processing).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from models.provenance import utcnow
from service import audit
from service.blobstore import BlobStore
from service.durations import Duration, parse_duration
from service.register import Register, RegisterError
from service.store.kinds import ACTIVE_STATES, ArtefactKind
from service.store.models import Artefact, Call, Classification, Entity, Job, Tombstone, Turn
from service.store.records import RetentionTag

__all__ = ["RetentionTag", "erase_call", "set_legal_hold", "sweep", "tags_for"]

log = logging.getLogger(__name__)

OPT_INS = frozenset({"keep_original_audio", "keep_raw_transcript"})
SYSTEM_ACTOR = "system:retention"
_ACTIVE = sorted(s.value for s in ACTIVE_STATES)


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


class RetentionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    policies: dict[str, Policy] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_kind_covered(self) -> RetentionConfig:
        covered = {k for p in self.policies.values() if p.unconditional for k in p.kinds}
        missing = sorted(k.value for k in ArtefactKind if k not in covered)
        if missing:
            raise ValueError(f"artefact kinds without an unconditional policy: {', '.join(missing)}")
        return self

    def check_against(self, register: Register) -> None:
        """Every purpose and legal basis must exist in the register, and the purpose must allow the basis."""
        for name, p in self.policies.items():
            try:
                register.check_purpose(p.purpose, p.legal_basis)
            except RegisterError as exc:
                raise RetentionConfigError(f"policy {name!r}: {exc}") from None

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
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        cfg = RetentionConfig.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise RetentionConfigError(f"cannot read retention config {path}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(top)'}: "
                             f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        raise RetentionConfigError(f"invalid retention config {path}: {problems}") from None
    if register is not None:
        cfg.check_against(register)
    return cfg


@lru_cache(maxsize=4)
def _cached(path: str, register_path: str) -> RetentionConfig:
    from service.register import load_register

    return load_retention(Path(path), load_register(Path(register_path)))


def get_retention() -> RetentionConfig:
    """The retention config named by the settings, checked against the register (cached)."""
    from service.config import get_settings

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

    def to_dict(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for d in self.deleted:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
        return {"now": self.now.isoformat(), "dry_run": self.dry_run, "artefacts_deleted": len(self.deleted),
                "by_kind": kinds, "calls_purged": len(self.calls_purged), "skipped_hold": self.skipped_hold,
                "skipped_active": self.skipped_active, "errors": self.errors}


def _has_active_job(session: Session, call_id: uuid.UUID) -> bool:
    return bool(session.scalar(select(exists().where(Job.call_id == call_id, Job.state.in_(_ACTIVE)))))


def _delete_rows_of(session: Session, art: Artefact) -> None:
    """Delete the database rows that make up an artefact (blobs are deleted by the caller)."""
    if art.kind == ArtefactKind.REDACTED_TRANSCRIPT:
        session.execute(delete(Turn).where(Turn.call_id == art.call_id))
    elif art.kind == ArtefactKind.ENTITIES:
        session.execute(delete(Entity).where(Entity.call_id == art.call_id))
    elif art.kind == ArtefactKind.CLASSIFICATION:
        session.execute(delete(Classification).where(Classification.call_id == art.call_id))


def sweep(session: Session, blobstore: BlobStore, now: datetime | None = None, dry_run: bool = False,
          ) -> SweepReport:
    """Delete every artefact whose ``retain_until`` has passed, then purge calls left with nothing.

    Commits after each call (blob deletion cannot be rolled back, so the rows follow at once); a crash
    mid-way leaves at most one call whose blobs are gone but rows remain, and the next sweep finishes it
    (deleting a missing blob is not an error).
    """
    now = now or utcnow()
    report = SweepReport(now=now, dry_run=dry_run)
    due = session.scalars(
        select(Artefact).where(Artefact.deleted_at.is_(None), Artefact.retain_until <= now)
        .order_by(Artefact.call_id, Artefact.id)).all()
    by_call: dict[uuid.UUID, list[Artefact]] = {}
    for art in due:
        by_call.setdefault(art.call_id, []).append(art)
    planned: set[int] = set()
    for call_id, arts in by_call.items():
        call = session.get(Call, call_id)
        if call is None:
            continue
        if call.legal_hold:
            report.skipped_hold += len(arts)
            continue
        if _has_active_job(session, call_id):
            report.skipped_active += len(arts)
            continue
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
            session.commit()
    for call in _purgeable_calls(session, planned):
        report.calls_purged.append(call.id)
        if not dry_run:
            _purge_call(session, blobstore, call, now, reason="retention", actor=SYSTEM_ACTOR, role="system")
            session.commit()
    log.info("retention sweep: %s", report.to_dict())
    return report


def delete_artefact(session: Session, blobstore: BlobStore, art: Artefact, now: datetime,
                     reason: str) -> bool:
    if art.blob_key:
        try:
            blobstore.delete(art.blob_key)
        except OSError as exc:
            log.error("retention: cannot delete blob of artefact %s (%s)", art.id, type(exc).__name__)
            return False
    _delete_rows_of(session, art)
    art.deleted_at = now
    session.add(Tombstone(object_type="artefact", kind=art.kind, call_id=art.call_id, deleted_at=now,
                          policy=art.policy, reason=reason))
    return True


def _purgeable_calls(session: Session, also_deleted: set[int]) -> list[Call]:
    """Calls with at least one artefact, none of them live (counting ``also_deleted`` as deleted), no hold,
    no active job."""
    live = select(Artefact.id).where(Artefact.call_id == Call.id, Artefact.deleted_at.is_(None))
    if also_deleted:
        live = live.where(Artefact.id.not_in(also_deleted))
    q = (select(Call).where(Call.legal_hold.is_(False), ~live.exists(),
                            select(Artefact.id).where(Artefact.call_id == Call.id).exists(),
                            ~select(Job.id).where(Job.call_id == Call.id, Job.state.in_(_ACTIVE)).exists())
         .order_by(Call.created_at))
    return list(session.scalars(q))


def _purge_call(session: Session, blobstore: BlobStore, call: Call, now: datetime, *, reason: str,
                actor: str, role: str, policy: str | None = None) -> None:
    for art in session.scalars(select(Artefact).where(Artefact.call_id == call.id)):
        if art.blob_key:
            blobstore.delete(art.blob_key)  # already gone for swept ones; idempotent
    session.add(Tombstone(object_type="call", kind=None, call_id=call.id, deleted_at=now, policy=policy,
                          reason=reason))
    audit.record(session, actor, role, f"{reason}.purge_call", "call", str(call.id), {}, now=now)
    session.delete(call)  # cascades: jobs, turns, entities, artefacts, classifications, provenance, index
    session.flush()


def erase_call(session: Session, blobstore: BlobStore, call_id: uuid.UUID, *, actor: str, role: str,
               now: datetime | None = None) -> bool:
    """Erase one call entirely (a data-subject erasure request). Returns False if there is no such call.

    Refuses with ``LegalHoldActive`` while the call or any artefact is under legal hold. Caller commits.
    """
    call = session.get(Call, call_id)
    if call is None:
        return False
    if call.legal_hold or any(a.legal_hold for a in call.artefacts if a.deleted_at is None):
        raise LegalHoldActive(f"call {call_id} is under legal hold")
    now = now or utcnow()
    for art in call.artefacts:
        if art.deleted_at is None:
            session.add(Tombstone(object_type="artefact", kind=art.kind, call_id=call_id, deleted_at=now,
                                  policy=art.policy, reason="erasure"))
    _purge_call(session, blobstore, call, now, reason="erasure", actor=actor, role=role)
    return True


def set_legal_hold(session: Session, call_id: uuid.UUID, on: bool, *, actor: str, role: str,
                   now: datetime | None = None) -> Call | None:
    """Put a call (and all its live artefacts) under legal hold, or lift every hold on it. Caller commits."""
    call = session.get(Call, call_id)
    if call is None:
        return None
    call.legal_hold = on
    for art in call.artefacts:
        if art.deleted_at is None:
            art.legal_hold = on
    audit.record(session, actor, role, "retention.hold_on" if on else "retention.hold_off", "call",
                 str(call_id), {}, now=now)
    return call
