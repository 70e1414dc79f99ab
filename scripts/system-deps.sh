#!/usr/bin/env bash
# Debian packages the project needs at run time (Voikko morphology for lower-case Finnish names) and for
# tests (Chromium for UI tests; espeak-ng + sox to synthesise the spoken-identifier clips of the audio bench
# and its test, and to regenerate fixtures with make fixtures).
# Installs only what is missing, only where apt-get is available and we are root (or have sudo).
set -euo pipefail
want=(libvoikko1 voikko-fi)
[[ "${PUHETURVA_WITH_BROWSER:-1}" == 1 ]] && want+=(chromium)
[[ "${PUHETURVA_WITH_SPEECH:-1}" == 1 ]] && want+=(espeak-ng sox)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "system-deps: apt-get not found; please install: ${missing[*]}" >&2; exit 0
fi
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo -n"
echo "system-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "system-deps: could not install ${missing[*]} (continuing; features degrade)" >&2
