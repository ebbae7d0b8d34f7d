#!/usr/bin/env bash
# Idempotent set-up on a Debian machine (run as root, or with sudo available):
# system packages listed in deps/apt-*.txt, a virtualenv in .venv with the project and its test extras,
# and the compiled Qt translations. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

want=$(cat deps/apt-*.txt | sed 's/#.*//' | tr -s ' \n' ' ')
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /var/lib/apt/periodic/clerk-app-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    $SUDO apt-get update -q
    $SUDO mkdir -p /var/lib/apt/periodic && $SUDO touch /var/lib/apt/periodic/clerk-app-updated
  fi
  # Daemons must not be started by the package scripts (there is no init system here; tests start them).
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
  $SUDO apt-get install -y -q --no-install-recommends $missing
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.clerk-app-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[test]"
  touch "$stamp"
fi

# Qt translations: .ts sources are committed, .qm files are built here.
for ts in resources/translations/*.ts; do
  [ -e "$ts" ] || continue
  qm="${ts%.ts}.qm"
  if [ ! -f "$qm" ] || [ "$ts" -nt "$qm" ]; then
    .venv/bin/pyside6-lrelease -silent "$ts" -qm "$qm"
  fi
done
echo "setup: ready"
