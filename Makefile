# Two entry points a newcomer needs: `make run` and `make test`. Each builds .venv on first use.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench bench-audio fixtures system-deps lock clean

# Dependencies come from the hash-pinned lock (scripts/lock.sh writes it from pyproject.toml); the project itself
# is installed on top without touching them.
$(STAMP): pyproject.toml requirements-dev.lock
	bash scripts/system-deps.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U "pip>=24"
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(VENV)/bin/puheturva model assemble
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

run: $(STAMP)
	PUHETURVA_DEMO=1 $(VENV)/bin/puheturva serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

# mypy reads its files (models, redaction, service) and strictness from [tool.mypy] in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Spoken-identifier clips (espeak-ng voices, 16 kHz and 8 kHz μ-law) through the real pipeline; e.g.
# make bench-audio BENCH_AUDIO_ARGS="--split train --rate 8k --jsonl var/bench/train_clips.jsonl"
bench-audio: $(STAMP)
	bash scripts/system-deps.sh
	$(PY) bench/audio_leak_bench.py $(BENCH_AUDIO_ARGS)

lock:
	bash scripts/lock.sh

fixtures:
	bash scripts/make_fixtures.sh

clean:
	rm -rf $(VENV) var
