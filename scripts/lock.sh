#!/usr/bin/env bash
# Regenerate the hash-pinned lock files from pyproject.toml (review finding #24: installs are reproducible and
# every downloaded file is checked against a sha256). `make .venv` and the Dockerfile install from these files with
# `pip --require-hashes`; run this after changing a dependency in pyproject.toml and commit the result.
# Versions already in the project's venv are kept (as constraints) so that a re-lock does not upgrade everything.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install -q --disable-pip-version-check "pip-tools==7.6.2"
constraints="$tools/constraints.txt"
if [ -x .venv/bin/pip ]; then .venv/bin/pip freeze --exclude-editable | grep -v '^-e' > "$constraints"; else : > "$constraints"; fi
common=(--quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
        --constraint "$constraints")
export CUSTOM_COMPILE_COMMAND="make lock"  # the header names how to regenerate the file
"$tools/venv/bin/pip-compile" "${common[@]}" -o requirements.lock pyproject.toml
"$tools/venv/bin/pip-compile" "${common[@]}" --extra dev -o requirements-dev.lock pyproject.toml
# The constraints file lives in a fresh temporary directory: name it the same way every run, so that a re-lock
# shows only the packages that changed.
sed -i "s|-c $constraints|-c (the pins of .venv)|" requirements.lock requirements-dev.lock
