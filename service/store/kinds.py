"""The closed vocabularies of the store (artefact kinds, job states, roles, call statuses).

Kept apart from the ORM so that the register and retention loaders can validate YAML against them.
"""

from __future__ import annotations

from enum import StrEnum


class ArtefactKind(StrEnum):
    ORIGINAL_AUDIO = "original_audio"
    REDACTED_AUDIO = "redacted_audio"
    RAW_TRANSCRIPT = "raw_transcript"
    REDACTED_TRANSCRIPT = "redacted_transcript"
    ENTITIES = "entities"
    CLASSIFICATION = "classification"
    RIGHTS_ITEMS = "rights_items"  # requests said in the call, pending the privacy officer's decision


# Inputs of processing; everything else is derived and replaced by a re-run.
SOURCE_KINDS = frozenset({ArtefactKind.ORIGINAL_AUDIO})
DERIVED_KINDS = frozenset(ArtefactKind) - SOURCE_KINDS
# Kinds that hold personal data in the clear (only redaction makes the rest safe to show).
RAW_KINDS = frozenset({ArtefactKind.ORIGINAL_AUDIO, ArtefactKind.RAW_TRANSCRIPT})


class JobState(StrEnum):
    QUEUED = "queued"
    TRANSCRIBING = "transcribing"
    REDACTING = "redacting"
    CLASSIFYING = "classifying"
    DONE = "done"
    FAILED = "failed"  # an attempt failed; retried at next_attempt_at
    DEAD = "dead"  # attempts exhausted; needs a human


CLAIMABLE_STATES = frozenset({JobState.QUEUED, JobState.FAILED})
RUNNING_STATES = frozenset({JobState.TRANSCRIBING, JobState.REDACTING, JobState.CLASSIFYING})
ACTIVE_STATES = CLAIMABLE_STATES | RUNNING_STATES


class CallStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class Role(StrEnum):
    QA_REVIEWER = "qa_reviewer"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"


def may_read_restricted(role: str) -> bool:
    """Whether ``role`` may read a restricted call's transcript and audio.

    GDPR art. 18 leaves a restricted call to storage only; the privacy officer handling the request needs to see
    it, QA reviewers and admins do not (review #17: admins used to read them).
    """
    return role == Role.PRIVACY_OFFICER.value
