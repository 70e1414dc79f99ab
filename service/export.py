"""The data-subject export: a ZIP with ``manifest.json`` (``puheturva.subject-export/1``) and redacted audio.

It answers an access request (GDPR art. 15) in a structured, machine-readable form that also serves
portability (art. 20). What it contains is what the service holds about the person's calls, already
redacted; and since the right "shall not adversely affect the rights and freedoms of others" (art. 20(4)),
the other party is withheld too: the agent's turns are replaced by a placeholder, the agent id is left out
and the agent's audio channel is silenced (or the audio left out when it only holds the agent's voice).
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
from service.blobstore import BlobNotFound, BlobStore
from service.export_manifest import AGENT_PLACEHOLDER, SCHEMA_ID, ExportManifest
from service.register import Register, get_register
from service.store.kinds import ArtefactKind
from service.store.models import Artefact, SubjectRequest
from service.store.repo_calls import CallView, get_call_view
from service.subjects import WrongRequestKind, corrections_of, live_call_ids

# Artefact ``source`` values as the pipeline writes them, and the register's source keys they stand for.
SOURCE_KEYS = {"telephony": "puhelinjarjestelma", "ai_pipeline": "tekoaly"}
DATA_SUBJECT_SOURCE = "rekisteroity"
_UNSAFE_PATH = re.compile(r"[^A-Za-z0-9._-]")
README = """Puheturva — rekisteröidyn tietopyynnön vastaus / data-subject access export

manifest.json   Tiedot puheluista, joissa tunnisteenne esiintyivät (skeema puheturva.subject-export/1):
                ajat, suunta, jono, tunnisteista poistettu litterointi, tunnisteiden tyypit ja sijainnit,
                luokittelut alkuperätietoineen, säilytysajat, käsittelyn tarkoitukset ja oikeusperusteet,
                vastaanottajaryhmät, tietoryhmät ja tietolähteet.
calls/*/redacted.wav  Tunnisteista poistettu tallenne. Asiakaspalvelijan kanava on vaimennettu ja hänen
                puheenvuoronsa korvattu merkinnällä [ASIAKASPALVELIJA] (GDPR 20(4) art.).

manifest.json describes the calls in which your identifiers were found (schema puheturva.subject-export/1);
calls/*/redacted.wav are the redacted recordings, with the agent's channel silenced.
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
    matched_by = {m["id"]: m["matched_by"] for m in req.matched_calls}
    files: dict[str, bytes] = {}
    calls, call_ids = [], []
    for cid in live_call_ids(session, req):
        view = get_call_view(session, cid)
        if view is None:
            continue
        folder = _unique_folder(view.call.external_id, files)
        calls.append(_call_entry(session, blobs, view, matched_by.get(str(cid), []), folder, files, register))
        call_ids.append(str(cid))
    manifest = {
        "schema": SCHEMA_ID, "generated_at": now,
        "controller": register.controller.model_dump(),
        "request": {"id": str(req.id), "kind": req.kind, "received_at": req.created_at,
                    "identifier_kinds": sorted({t["kind"] for t in req.terms})},
        "register": _register_info(register),
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


def _call_entry(session: Session, blobs: BlobStore, view: CallView, matched_by: list[str], folder: str,
                files: dict[str, bytes], register: Register) -> dict[str, Any]:
    c = view.call
    withheld = {t.idx for t in view.turns if t.speaker == "agent"}
    agent_channels = {int(k) for k, v in (c.channels or {}).items() if v == "agent"}
    agent_channels |= {t.channel for t in view.turns if t.speaker == "agent"}
    classify = next((p for p in view.provenance if p.stage == "classify"), None)
    model_ref = {"model": classify.agent.get("name"), "version": classify.agent.get("version")} \
        if classify else None
    corrections = []
    for k in corrections_of(session, c.id):
        hidden = k["turn"] in withheld
        corrections.append({"turn": k["turn"], "corrected_by": "person",
                            "original_text": AGENT_PLACEHOLDER if hidden else k["original_text"],
                            "corrected_text": AGENT_PLACEHOLDER if hidden else k["corrected_text"],
                            "corrected_at": k["provenance"]["endTime"]})
    return {
        "call_id": c.external_id, "started_at": c.started_at, "received_at": c.created_at,
        "duration_s": c.duration_s, "direction": c.direction, "queue": c.queue, "status": c.status,
        "restricted": c.restricted, "legal_hold": c.legal_hold, "matched_by": matched_by,
        "channels": dict(c.channels or {}),
        "turns": [{"turn": t.idx, "speaker": t.speaker, "start": t.start_s, "end": t.end_s,
                   "text": AGENT_PLACEHOLDER if t.idx in withheld else t.text, "withheld": t.idx in withheld}
                  for t in view.turns],
        "entities": [{"turn": e.turn_idx, "type": e.type, "category": e.category,
                      "start": None if e.turn_idx in withheld else e.start,
                      "end": None if e.turn_idx in withheld else e.end, "t_start": e.t_start, "t_end": e.t_end}
                     for e in view.entities],
        "classifications": [{"kind": k.kind, "label": k.label, "score": k.score, "method": k.method,
                             "provenance": model_ref} for k in view.classifications],
        "corrections": corrections,
        "processing": [{"stage": p.stage, "started_at": p.started_at, "ended_at": p.ended_at,
                        "agent": p.agent.get("name"), "agent_version": p.agent.get("version")}
                       for p in view.provenance],
        "retention": [{"artefact": a.kind, "data_category": a.data_category, "source": a.source,
                       "policy": a.policy, "purpose": a.purpose, "legal_basis": a.legal_basis,
                       "retain_until": a.retain_until, "legal_hold": a.legal_hold} for a in view.artefacts],
        "purposes": [{"purpose": p, "legal_basis": b}
                     for p, b in sorted({(a.purpose, a.legal_basis) for a in view.artefacts})],
        "data_categories": _categories(view, register),
        "sources": _sources(view),
        "audio": _audio(blobs, view.artefacts, agent_channels, folder, files),
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


def _audio(blobs: BlobStore, artefacts: list[Artefact], agent_channels: set[int], folder: str,
           files: dict[str, bytes]) -> dict[str, Any]:
    art = next((a for a in artefacts if a.kind == ArtefactKind.REDACTED_AUDIO.value and a.blob_key), None)
    none = {"path": None, "sha256": None, "size": None, "withheld_channels": sorted(agent_channels)}
    if art is None or art.blob_key is None:
        return {**none, "note": "no redacted audio is stored (deleted under the retention policy)"}
    try:
        data = blobs.get(art.blob_key)
    except BlobNotFound:
        return {**none, "note": "the redacted audio was deleted"}
    wav, withheld = without_channels(data, agent_channels, is_wav=art.content_type == "audio/wav")
    if wav is None:
        return {**none, "withheld_channels": withheld,
                "note": "the recording holds only the other party's voice and is not included"}
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


def export_filename(request_id: uuid.UUID) -> str:
    return f"subject-export-{request_id}.zip"
