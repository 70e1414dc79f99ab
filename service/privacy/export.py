"""The data-subject export: a ZIP with ``manifest.json`` (``puheturva.subject-export/2``) and redacted audio.

It answers an access request (GDPR art. 15) in a structured, machine-readable form that also serves
portability (art. 20). What it contains is what the service holds about the person's calls, already
redacted; and since the right "shall not adversely affect the rights and freedoms of others" (art. 15(4),
20(4)), everyone else is withheld too:

- A call the person is a party of (their number or customer number is in its metadata) is exported with
  only what is attributable to them: the customer's turns and audio channel. The agent's turns, and any
  turn whose speaker cannot be told (every turn of a mono recording), are replaced by a placeholder; the
  audio keeps only the customer's channel, and a recording with no such channel (mono) is left out.
- A call where the person's identifier was only spoken is another person's call: the export says that it
  exists, when, and which kinds of identifier were heard, and nothing of its words or voice.
- Employees are never named: the agent id is left out and a person in the processing steps (a QA
  reviewer) appears as ``person`` with their role.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.provenance import utcnow
from service.platform.blobstore import BlobNotFound, BlobStore
from service.privacy.export_manifest import (
    AGENT_PLACEHOLDER,
    MATCHING,
    SCHEMA_ID,
    UNATTRIBUTED_PLACEHOLDER,
    ExportManifest,
)
from service.privacy.register import Register, get_register
from service.privacy.subjects import PARTY, WrongRequestKind, corrections_of, live_call_ids, match_of
from service.store.kinds import ArtefactKind
from service.store.models import Artefact, SubjectRequest
from service.store.repo_calls import CallView, get_call_view

# Artefact ``source`` values as the pipeline writes them, and the register's source keys they stand for.
SOURCE_KEYS = {"telephony": "puhelinjarjestelma", "ai_pipeline": "tekoaly"}
DATA_SUBJECT_SOURCE = "rekisteroity"
_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9._-]")
README = """Puheturva — rekisteröidyn tietopyynnön vastaus / data-subject access export

manifest.json   Tiedot puheluista, joissa tunnisteenne esiintyivät (skeema puheturva.subject-export/2):
                ajat, suunta, jono, tunnisteista poistettu litterointi, tunnisteiden tyypit ja sijainnit,
                luokittelut alkuperätietoineen, säilytysajat, käsittelyn tarkoitukset ja oikeusperusteet,
                vastaanottajaryhmät, tietoryhmät ja tietolähteet. Puheluista, joissa olitte osapuolena
                (numeronne tai asiakasnumeronne puhelun tiedoissa), mukana on vain teidän osuutenne:
                asiakaspalvelijan puheenvuorot on korvattu merkinnällä [ASIAKASPALVELIJA] ja puheenvuorot,
                joiden puhujaa ei voi erottaa (yksikanavainen tallenne), merkinnällä [EI KOHDISTETTAVISSA].
                Puheluista, joissa tunnisteenne vain mainittiin, kerrotaan vain puhelun olemassaolo ja aika:
                ne ovat toisen henkilön puheluita (GDPR 15(4) ja 20(4) art.).
calls/*/redacted.wav  Tunnisteista poistettu tallenne, jossa on vain teidän kanavanne; muut kanavat on
                vaimennettu. Yksikanavaista tallennetta ei luovuteta.

manifest.json describes the calls in which your identifiers were found (schema puheturva.subject-export/2).
Calls you were a party of (your number or customer number in the call's metadata) hold only your part;
calls where your identifier was only mentioned are another person's: only their existence and time are
given. calls/*/redacted.wav keep only your channel; single-channel recordings are not included.
"""


@dataclass(frozen=True)
class Export:
    data: bytes  # the ZIP
    sha256: str
    calls: int
    call_ids: list[str]  # internal ids of the calls in it, for the audit log
    manifest: dict[str, Any]


def build_export(session: Session, blobs: BlobStore, req: SubjectRequest, *, register: Register | None = None,
                 now: datetime | None = None) -> Export:
    """Build the ZIP of an access request from the calls that still exist (an erased call is not in it)."""
    if req.kind != "access":
        raise WrongRequestKind("exports answer access requests")
    register = register or get_register()
    now = now or utcnow()
    matches = {m["id"]: m for m in req.matched_calls}
    files: dict[str, bytes] = {}
    calls, call_ids = [], []
    for cid in live_call_ids(session, req):
        view = get_call_view(session, cid)
        if view is None:
            continue
        m = matches[str(cid)]
        if match_of(m) == PARTY:
            folder = _unique_folder(view.call.external_id, files)
            calls.append(_call_entry(session, blobs, view, m["matched_by"], folder, files, register))
        else:
            calls.append(_mention_entry(view, m["matched_by"]))
        call_ids.append(str(cid))
    manifest = {
        "schema": SCHEMA_ID, "generated_at": now,
        "controller": register.controller.model_dump(),
        "request": {"id": str(req.id), "kind": req.kind, "received_at": req.created_at,
                    "identifier_kinds": sorted({t["kind"] for t in req.terms})},
        "register": _register_info(register),
        "matching": MATCHING,
        "calls": calls,
    }
    checked = ExportManifest.model_validate(manifest)  # nothing leaves that does not fit the schema
    body = checked.model_dump_json(by_alias=True, indent=2).encode()
    data = _zip({"manifest.json": body, "README.txt": README.encode(), **files}, now)
    return Export(data=data, sha256=hashlib.sha256(data).hexdigest(), calls=len(calls), call_ids=call_ids,
                  manifest=checked.model_dump(mode="json", by_alias=True))


def _zip(files: dict[str, bytes], now: datetime) -> bytes:
    buf = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def _unique_folder(external_id: str, files: dict[str, bytes]) -> str:
    base = "calls/" + (_UNSAFE_PATH.sub("_", external_id) or "call")
    folder, n = base, 1
    while any(name.startswith(folder + "/") for name in files):
        n += 1
        folder = f"{base}-{n}"
    return folder


def _register_info(r: Register) -> dict[str, Any]:
    return {
        "name": r.name, "updated": r.updated, "transfers": r.transfers, "rights": list(r.rights),
        "purposes": [{"key": k, "name": p.name, "name_en": p.name_en, "description": p.description,
                      "legal_bases": list(p.legal_bases)} for k, p in r.purposes.items()],
        "legal_bases": [{"key": k, "name": b.name, "name_en": b.name_en, "gdpr_article": b.gdpr_article,
                         "description": b.description} for k, b in r.legal_bases.items()],
        "data_categories": [{"key": k, "name": c.name, "name_en": c.name_en, "description": c.description}
                            for k, c in r.data_categories.items()],
        "sources": [{"key": k, "name": s.name, "name_en": s.name_en, "description": s.description}
                    for k, s in r.sources.items()],
        "recipients": [{"name": x.name, "description": x.description} for x in r.recipients],
    }


SUBJECT_SPEAKER = "customer"  # the side of a call its party (caller, customer) speaks on
MONO_NOTE = ("single-channel recording: the voices cannot be told apart, so the audio and the turns not "
             "attributable to you are withheld")
MENTION_NOTE = ("your identifier was only mentioned in this call: it is another person's call, so only its "
                "existence, time and the kinds of identifier heard are given")


def _mention_entry(view: CallView, matched_by: list[str]) -> dict[str, Any]:
    """A call that only mentions the subject: that it exists and when, nothing of its words or voice."""
    c = view.call
    return {
        "call_id": c.external_id, "started_at": c.started_at, "received_at": c.created_at, "duration_s": None,
        "direction": None, "queue": None, "status": c.status, "restricted": c.restricted,
        "legal_hold": c.legal_hold, "matched_by": matched_by, "match": "mention", "attribution": "none",
        "note": MENTION_NOTE, "channels": {}, "turns": [], "entities": [], "classifications": [],
        "corrections": [], "processing": [], "retention": [], "purposes": [], "data_categories": [],
        "sources": [], "audio": {"path": None, "sha256": None, "size": None, "withheld_channels": [],
                                 "note": "not included: " + MENTION_NOTE},
    }


def _placeholder(speaker: str) -> str:
    return AGENT_PLACEHOLDER if speaker == "agent" else UNATTRIBUTED_PLACEHOLDER


def _processing_agent(agent: dict[str, Any]) -> dict[str, Any]:
    """A software agent by name and version; a person (a QA reviewer) only as ``person`` and their role."""
    if agent.get("kind") == "person" or "role" in agent:
        return {"agent": "person", "agent_version": None, "agent_role": agent.get("role")}
    return {"agent": agent.get("name"), "agent_version": agent.get("version"), "agent_role": None}


def _call_entry(session: Session, blobs: BlobStore, view: CallView, matched_by: list[str], folder: str,
                files: dict[str, bytes], register: Register) -> dict[str, Any]:
    c = view.call
    # Only the subject's side is theirs to have: the customer's turns, told apart by the recording's channels.
    speakers = {t.idx: t.speaker for t in view.turns}
    withheld = {idx for idx, who in speakers.items() if who != SUBJECT_SPEAKER}
    own_channels = {int(k) for k, v in (c.channels or {}).items() if v == SUBJECT_SPEAKER}
    own_channels |= {t.channel for t in view.turns if t.speaker == SUBJECT_SPEAKER}
    attributable = bool(own_channels)
    classify = next((p for p in view.provenance if p.stage == "classify"), None)
    model_ref = {"model": classify.agent.get("name"), "version": classify.agent.get("version")} \
        if classify else None
    corrections = []
    for k in corrections_of(session, c.id):
        hidden = k["turn"] in withheld
        mark = _placeholder(speakers.get(k["turn"], "unknown"))
        corrections.append({"turn": k["turn"], "corrected_by": "person",
                            "original_text": mark if hidden else k["original_text"],
                            "corrected_text": mark if hidden else k["corrected_text"],
                            "corrected_at": k["provenance"]["endTime"]})
    return {
        "call_id": c.external_id, "started_at": c.started_at, "received_at": c.created_at,
        "duration_s": c.duration_s, "direction": c.direction, "queue": c.queue, "status": c.status,
        "restricted": c.restricted, "legal_hold": c.legal_hold, "matched_by": matched_by,
        "match": "party", "attribution": "channel" if attributable else "none",
        "note": None if attributable else MONO_NOTE,
        "channels": dict(c.channels or {}),
        "turns": [{"turn": t.idx, "speaker": t.speaker, "start": t.start_s, "end": t.end_s,
                   "text": _placeholder(t.speaker) if t.idx in withheld else t.text, "withheld": t.idx in withheld}
                  for t in view.turns],
        "entities": [{"turn": e.turn_idx, "type": e.type, "category": e.category,
                      "start": None if e.turn_idx in withheld else e.start,
                      "end": None if e.turn_idx in withheld else e.end, "t_start": e.t_start, "t_end": e.t_end}
                     for e in view.entities],
        "classifications": [{"kind": k.kind, "label": k.label, "score": k.score, "method": k.method,
                             "provenance": model_ref} for k in view.classifications],
        "corrections": corrections,
        "processing": [{"stage": p.stage, "started_at": p.started_at, "ended_at": p.ended_at,
                        **_processing_agent(p.agent)} for p in view.provenance],
        "retention": [{"artefact": a.kind, "data_category": a.data_category, "source": a.source,
                       "policy": a.policy, "purpose": a.purpose, "legal_basis": a.legal_basis,
                       "retain_until": a.retain_until, "legal_hold": a.legal_hold} for a in view.artefacts],
        "purposes": [{"purpose": p, "legal_basis": b}
                     for p, b in sorted({(a.purpose, a.legal_basis) for a in view.artefacts})],
        "data_categories": _categories(view, register),
        "sources": _sources(view),
        "audio": _audio(blobs, view.artefacts, own_channels, folder, files),
    }


def _categories(view: CallView, register: Register) -> list[str]:
    cats = {a.data_category for a in view.artefacts} | {e.category for e in view.entities}
    cats |= {k for k, c in register.data_categories.items() if c.call_fields}  # the call's own metadata
    return sorted(cats)


def _sources(view: CallView) -> list[str]:
    sources = {SOURCE_KEYS.get(a.source, a.source) for a in view.artefacts} | {SOURCE_KEYS["telephony"]}
    if view.turns:
        sources.add(DATA_SUBJECT_SOURCE)  # what was said in the call
    return sorted(sources)


def _audio(blobs: BlobStore, artefacts: list[Artefact], own_channels: set[int], folder: str,
           files: dict[str, bytes]) -> dict[str, Any]:
    """The redacted recording with every channel but the subject's own silenced; left out when no channel
    is theirs alone (a mono recording mixes both voices)."""
    art = next((a for a in artefacts if a.kind == ArtefactKind.REDACTED_AUDIO.value and a.blob_key), None)
    none: dict[str, Any] = {"path": None, "sha256": None, "size": None, "withheld_channels": []}
    if art is None or art.blob_key is None:
        return {**none, "note": "no redacted audio is stored (deleted under the retention policy)"}
    try:
        data = blobs.get(art.blob_key)
    except BlobNotFound:
        return {**none, "note": "the redacted audio was deleted"}
    wav, withheld = keeping_channels(data, own_channels, is_wav=art.content_type == "audio/wav")
    if wav is None:
        return {**none, "withheld_channels": withheld,
                "note": "not included: " + (MONO_NOTE if not own_channels else
                                            "the recording holds only the other party's voice")}
    path = f"{folder}/redacted.wav"
    files[path] = wav
    return {"path": path, "sha256": hashlib.sha256(wav).hexdigest(), "size": len(wav),
            "withheld_channels": withheld}


def without_channels(data: bytes, silenced: set[int], *, is_wav: bool = True) -> tuple[bytes | None, list[int]]:
    """The recording as 16-bit WAV with the ``silenced`` channels zeroed, and which channels that was.
    None when every channel would be silenced (nothing of the person's own would be left)."""
    from models.audio import decode, encode_wav

    if not silenced and is_wav:
        return data, []
    audio = decode(data)
    hit = sorted(ch for ch in silenced if 0 <= ch < audio.n_channels)
    if len(hit) == audio.n_channels:
        return None, hit
    channels = [ch * 0 if i in hit else ch for i, ch in enumerate(audio.channels)]
    return encode_wav(channels, audio.sample_rate), hit


def keeping_channels(data: bytes, keep: set[int], *, is_wav: bool = True) -> tuple[bytes | None, list[int]]:
    """The recording as 16-bit WAV with every channel but ``keep`` zeroed, and which channels were zeroed.
    None when no kept channel is in the file (nothing of the person's own would be left)."""
    from models.audio import decode, encode_wav

    audio = decode(data)
    silenced = sorted(set(range(audio.n_channels)) - keep)
    if len(silenced) == audio.n_channels:
        return None, silenced
    if not silenced and is_wav:
        return data, []
    channels = [ch * 0 if i in silenced else ch for i, ch in enumerate(audio.channels)]
    return encode_wav(channels, audio.sample_rate), silenced


def export_filename(request_id: uuid.UUID) -> str:
    return f"subject-export-{request_id}.zip"
