"""The one settings class of the service, read from ``PUHETURVA_*`` environment variables (and ``.env``).

A fresh machine must work without any configuration (demo, development), so missing keys are generated
into files under ``data_dir`` with a warning. In production that convenience is a liability:
``environment=production`` refuses to start without explicit keys and refuses the development webhook secret.
"""

from __future__ import annotations

import base64
import binascii
import logging
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.platform.crypto import KeyFormatError, load_or_create_key_file, parse_key

log = logging.getLogger(__name__)

# Development-only secret of the default telephony client; production refuses it. Base64 of a fixed phrase.
DEV_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"puheturva-development-secret-only").decode()
WEBHOOK_SECRET_PREFIX = "whsec_"
DEFAULT_CLIENT_NAME = "default"
ENCRYPTION_KEY_FILE = "keys/encryption.key"
INDEX_KEY_FILE = "keys/index.key"
AUDIT_KEY_FILE = "keys/audit.key"


class ConfigError(Exception):
    """Settings that cannot work (messages name the setting, never its secret value)."""


def _packaged(name: str) -> Path:
    """A data file shipped with the privacy rules (``service/privacy/``), wherever the package is installed.

    Read as a resource path, not imported: the platform group never imports ``service.privacy``."""
    return Path(str(resources.files("service") / "privacy" / name))


def _check_webhook_secret(secret: str, what: str) -> None:
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        raise ConfigError(f"{what} must start with {WEBHOOK_SECRET_PREFIX!r}")
    try:
        raw = base64.b64decode(secret[len(WEBHOOK_SECRET_PREFIX):], validate=True)
    except binascii.Error as exc:
        raise ConfigError(f"{what} is not valid base64 after {WEBHOOK_SECRET_PREFIX!r}") from exc
    if len(raw) < 24:
        raise ConfigError(f"{what} is too short: use at least 24 random bytes")


def _check_operators(names: dict[str, str]) -> None:
    """Refuse an operator or entity type ``redaction`` does not know, naming it (a typo must not silently fall
    back to another operator, nor leave a type with the default)."""
    from redaction.entities import SPECS
    from redaction.operators import OPERATORS, UnknownEntityType, UnknownOperator, check_names

    try:
        check_names(names)
    except UnknownEntityType as exc:
        raise ConfigError(f"PUHETURVA_OPERATORS: unknown entity type {exc.args[0]!r} "
                          f"(known: DEFAULT, {', '.join(SPECS)})") from None
    except UnknownOperator as exc:
        raise ConfigError(f"PUHETURVA_OPERATORS: unknown operator {exc.args[0]!r} "
                          f"(known: {', '.join(sorted(OPERATORS))})") from None


class TelephonyClient(BaseModel):
    """A telephony system allowed to post recordings: name, Standard Webhooks secret, optional callback."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    secret: SecretStr
    callback_url: str | None = None


class Settings(BaseSettings):
    """Every setting of the service. Field descriptions are rendered into the README."""

    model_config = SettingsConfigDict(env_prefix="PUHETURVA_", env_file=".env", extra="ignore",
                                      populate_by_name=True)

    environment: Literal["development", "production"] = Field(
        "development", description="`production` refuses generated keys and development secrets.")
    demo: bool = Field(False, description="Demo mode: seeds example data and shows a banner in the UI.")
    data_dir: Path = Field(Path("./var"), description="Home of the SQLite database, blobs and key files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default `sqlite:///<data_dir>/puheturva.db`. "
                          "PostgreSQL: `postgresql+psycopg://user@host/db`.")
    webhook_secret: SecretStr = Field(
        SecretStr(DEV_WEBHOOK_SECRET),
        description="Standard Webhooks secret (`whsec_<base64>`) of the `default` telephony client.")
    clients_file: Path | None = Field(
        None, description="YAML list of more telephony clients: `name`, `secret`, optional `callback_url`.")
    encryption_key: SecretStr | None = Field(
        None, description="Base64 of 32 bytes: AES-256-GCM key for blobs at rest. "
                          "Unset: generated into `<data_dir>/keys/encryption.key` (not in production).")
    index_key: SecretStr | None = Field(
        None, description="Base64 of 32 bytes: HMAC key of the data-subject index. "
                          "Unset: generated into `<data_dir>/keys/index.key` (not in production).")
    audit_key: SecretStr | None = Field(
        None, description="Base64 of 32 bytes: HMAC key of the audit chain, kept away from the database. "
                          "Unset: generated into `<data_dir>/keys/audit.key` (not in production).")
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token a scraper sends to `GET /metrics`. Production (or any server with it set) "
                          "admits only this token or an admin; development on loopback leaves it open.")
    retention_config: Path = Field(
        default_factory=lambda: _packaged("retention.yaml"),
        description="Retention policies YAML; default the packaged `service/privacy/retention.yaml`.")
    register_file: Path = Field(
        default_factory=lambda: _packaged("register.yaml"),
        description="Register description (privacy notice) YAML; default the packaged one.")
    scorecard: Path = Field(
        default_factory=lambda: Path(str(resources.files("service") / "calls" / "scorecard.yaml")),
        description="QA scorecard YAML (questions, weights, answer types); default the packaged one.")
    asr_model: str = Field("default", description="`default` (bundled Whisper base) or a CTranslate2 dir.")
    asr_device: Literal["cpu", "cuda", "auto"] = Field(
        "cpu", description="CTranslate2 device: `cpu`, `cuda` or `auto`.")
    asr_compute_type: str | None = Field(
        None, description="CTranslate2 compute type (`int8`, `float16`, ...); unset: chosen per device.")
    asr_beam_size: int = Field(5, ge=1, le=20, description="Beam size of the ASR decoder.")
    asr_threads: int = Field(0, ge=0, description="CPU threads for ASR; 0 lets CTranslate2 decide.")
    asr_batch_size: int | None = Field(
        None, ge=0, le=256, description="Batched ASR: speech windows of all channels decoded N at a time; 0 "
        "decodes each channel sequentially; unset: 16 on CUDA, sequential on CPU.")
    language: str = Field("fi", description="Language of the calls, forced on the ASR model.")
    audio_redaction: Literal["tone", "silence"] = Field(
        "tone", description="How redacted audio ranges sound: a 1 kHz tone or silence.")
    audio_pad_ms: int = Field(200, ge=0, le=2000, description="Padding around each redacted range (ms).")
    low_confidence_redaction: bool = Field(
        True, description="Pass the ASR's word probabilities to the detector, whose low-confidence policy "
                          "may redact unsure words where an identifier belongs (off: text alone decides).")
    low_confidence_threshold: float = Field(
        0.5, ge=0.0, le=1.0, description="Word probability below which the low-confidence policy redacts the "
                                         "words right after an identity cue (`redaction.Analyzer`).")
    operators: dict[str, str] = Field(
        {}, description="Operator per entity type, as JSON: `{\"EMAIL\": \"mask\", \"PERSON\": \"pseudonym\"}`; "
                        "`DEFAULT` sets the rest. `placeholder` (the default), `pseudonym`, `mask` or `hash` (an HMAC "
                        "keyed from the index key). An unknown operator or type is refused at start.")
    self_verify: Literal["auto", "on", "off"] = Field(
        "auto", description="Re-transcribe the redacted audio around each redacted range and extend the "
                            "redaction by any identifier still heard: `on`, `off`, or `auto` (only when that "
                            "audio is within `self_verify_budget`).")
    self_verify_budget: float = Field(
        0.3, ge=0.0, description="`auto` self-verifies when the audio to re-transcribe is at most this share of "
                                 "the recording's audio (all channels): it bounds the added ASR time.")
    rights_detection: bool = Field(
        True, description="Look for requests said in the call (access, erasure, direct-marketing choices …) in "
                          "the redacted customer turns; each becomes a pending item for the privacy officer.")
    max_upload_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest accepted upload (bytes).")
    max_audio_seconds: float = Field(7200.0, gt=0, description="Longest accepted recording (seconds).")
    max_audio_channels: int = Field(
        2, ge=1, le=16, description="Most audio channels an accepted recording may have; more is refused from the "
                                    "header before decoding (422). Above 7, PyAV 18.1 crashes (contained in the "
                                    "decoder's child process).")
    max_concurrent_webhook_bodies: int = Field(
        16, ge=1, description="Webhook bodies read at the same time; one more waits a moment, then gets 503 with "
                              "Retry-After (bounds the memory that uploads hold before their signature is "
                              "checked).")
    worker_processes: int = Field(
        1, ge=0, validation_alias=AliasChoices("worker_processes", "PUHETURVA_WORKER_PROCESSES",
                                               "PUHETURVA_WORKER_THREADS"),
        description="Embedded worker processes started and supervised by `puheturva serve` (0: API only). "
                    "The old name `PUHETURVA_WORKER_THREADS` is still read.")
    worker_nice: int = Field(
        10, ge=0, le=19, description="Niceness added to embedded worker processes: transcription yields the CPU "
                                     "to the API, so webhooks stay fast under full load.")
    max_queue_depth: int = Field(
        2000, ge=0, description="Webhook answers 503 with Retry-After while more jobs than this wait to be "
                                "processed (0: no limit); nothing is stored then.")
    max_queue_age_s: float = Field(
        3600.0, ge=0, description="Webhook answers 503 with Retry-After while the oldest waiting job has waited "
                                  "longer than this (seconds; 0: no limit).")
    queue: Literal["embedded", "celery"] = Field(
        "embedded", description="`embedded` worker processes beside the API, or `celery` workers.")
    broker_url: str | None = Field(
        None, description="Celery broker URL (when `queue=celery`): `redis://host:6379/0` or "
                          "`amqp://user:pass@host:5672//`.")
    celery_queue: str = Field(
        "puheturva.jobs", pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="Broker queue of the processing tasks (separate environments sharing a broker).")
    blob_backend: Literal["local", "s3"] = Field(
        "local", description="Where audio blobs live: `local` (files under `data_dir/blobs`) or `s3` "
                             "(any S3-compatible store); encrypted client-side either way.")
    s3_endpoint: str | None = Field(
        None, description="S3 endpoint URL (SeaweedFS, MinIO, Ceph...); unset: AWS for `s3_region`.")
    s3_bucket: str | None = Field(
        None, description="S3 bucket of the blobs (required when `blob_backend=s3`).")
    s3_region: str = Field("us-east-1", description="S3 region (signing needs one even off AWS).")
    s3_prefix: str = Field("", pattern=r"^([A-Za-z0-9._-]+/)*$",
                           description="Key prefix inside the bucket, e.g. `puheturva/` (ends with `/`).")
    s3_access_key: str | None = Field(
        None, description="S3 access key id; unset: boto3's default chain (env, instance role).")
    s3_secret_key: SecretStr | None = Field(None, description="S3 secret access key.")
    job_max_attempts: int = Field(3, ge=1, description="Attempts before a job is marked dead.")
    job_stale_after_s: float = Field(
        60.0, gt=0, description="A running job without a heartbeat this long is requeued (worker lost).")
    keep_original_audio: bool = Field(
        False, description="Keep the original recording after processing (under the `raw_kept` policy).")
    keep_raw_transcript: bool = Field(
        False, description="Store the unredacted transcript (under the `raw_kept` policy).")

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{(self.data_dir / 'puheturva.db').as_posix()}"
        _check_webhook_secret(self.webhook_secret.get_secret_value(), "PUHETURVA_WEBHOOK_SECRET")
        if self.queue == "celery" and not self.broker_url:
            raise ConfigError("PUHETURVA_BROKER_URL is required when PUHETURVA_QUEUE=celery")
        if self.queue == "celery" and not self.database_url.startswith("postgresql"):
            # Workers on several machines share the job table; SQLite is one file on one machine.
            raise ConfigError("PUHETURVA_QUEUE=celery needs PostgreSQL: set PUHETURVA_DATABASE_URL to "
                              "postgresql+psycopg://user@host/db (SQLite is single-node only)")
        if self.blob_backend == "s3" and not self.s3_bucket:
            raise ConfigError("PUHETURVA_S3_BUCKET is required when PUHETURVA_BLOB_BACKEND=s3")
        if self.clients_file is not None and not self.clients_file.is_file():
            # An empty PUHETURVA_CLIENTS_FILE= parses as Path("."): say so now, not as a 500 per delivery.
            raise ConfigError("PUHETURVA_CLIENTS_FILE is empty or not a file: unset it or name a clients YAML file")
        _ = self.telephony_clients  # read and validate the clients file at start-up
        _check_operators(self.operators)
        if self.environment == "production":
            self._check_production()
        return self

    def _check_production(self) -> None:
        missing = [env for env, value in (("PUHETURVA_WEBHOOK_SECRET", self._own_webhook_secret()),
                                          ("PUHETURVA_ENCRYPTION_KEY", self.encryption_key),
                                          ("PUHETURVA_INDEX_KEY", self.index_key),
                                          ("PUHETURVA_AUDIT_KEY", self.audit_key)) if value is None]
        if missing:
            raise ConfigError(f"production requires {', '.join(missing)} (generated keys and the development "
                              "webhook secret are refused)")
        if self.demo:
            raise ConfigError("production refuses PUHETURVA_DEMO")
        for client in self.telephony_clients:
            if client.secret.get_secret_value() == DEV_WEBHOOK_SECRET:
                raise ConfigError(f"production refuses the development webhook secret ({client.name!r})")

    def _own_webhook_secret(self) -> SecretStr | None:
        """The default client's secret, or None while it is still the public development one."""
        return None if self.webhook_secret.get_secret_value() == DEV_WEBHOOK_SECRET else self.webhook_secret

    @cached_property
    def telephony_clients(self) -> tuple[TelephonyClient, ...]:
        """The default client (``webhook_secret``) plus those of ``clients_file``; names are unique."""
        clients = [TelephonyClient(name=DEFAULT_CLIENT_NAME, secret=self.webhook_secret)]
        if self.clients_file is not None:
            clients.extend(load_clients_file(self.clients_file))
        names = [c.name for c in clients]
        if len(set(names)) != len(names):
            raise ConfigError("telephony client names must be unique (including 'default')")
        return tuple(clients)

    def client(self, name: str) -> TelephonyClient | None:
        return next((c for c in self.telephony_clients if c.name == name), None)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def encryption_key_bytes(self) -> bytes:
        """The AES-256 key: the setting, or the key file (generated on first use outside production)."""
        return self._key(self.encryption_key, ENCRYPTION_KEY_FILE, "PUHETURVA_ENCRYPTION_KEY")

    def index_key_bytes(self) -> bytes:
        """The subject-index HMAC key: the setting, or the key file (generated on first use)."""
        return self._key(self.index_key, INDEX_KEY_FILE, "PUHETURVA_INDEX_KEY")

    def audit_key_bytes(self) -> bytes:
        """The audit-chain HMAC key: the setting, or the key file (generated on first use outside production)."""
        return self._key(self.audit_key, AUDIT_KEY_FILE, "PUHETURVA_AUDIT_KEY")

    def _key(self, value: SecretStr | None, filename: str, env: str) -> bytes:
        if value is not None:
            try:
                return parse_key(value.get_secret_value())
            except KeyFormatError as exc:
                raise ConfigError(f"{env}: {exc}") from exc
        if self.environment == "production":
            raise ConfigError(f"production requires {env}")
        key, created = load_or_create_key_file(self.data_dir / filename)
        if created:
            log.warning("%s unset: generated a key into %s; back it up, or set the variable",
                        env, self.data_dir / filename)
        return key


def load_clients_file(path: Path) -> list[TelephonyClient]:
    """Read the clients YAML (a list, or ``{clients: [...]}``); errors name the file, never secrets."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read clients file {path}: {type(exc).__name__}") from exc
    if isinstance(data, dict):
        data = data.get("clients")
    if not isinstance(data, list):
        raise ConfigError(f"clients file {path} must hold a list of clients")
    clients = []
    for i, item in enumerate(data):
        try:
            client = TelephonyClient.model_validate(item)
        except ValidationError as exc:
            fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
            raise ConfigError(f"clients file {path}: entry {i} invalid ({', '.join(fields)})") from None
        _check_webhook_secret(client.secret.get_secret_value(), f"clients file {path}: entry {i} secret")
        clients.append(client)
    return clients


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()`` after changing env)."""
    return Settings()
