#!/usr/bin/env bash
# Set up everything (idempotent) and start the workstation in demo mode: embedded SQLite in a fresh
# temporary data folder, the sample catalogue, simulated card reader/scanner/printer, demo users.
# With no display, a virtual one (Xvfb) is started so the app still runs (see README for screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  export DISPLAY=:77
  Xvfb :77 -screen 0 1600x1000x24 >/dev/null 2>&1 &
  xvfb_pid=$!
  trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
  sleep 0.5
  echo "demo: no display found; running on virtual display :77 (Xvfb)"
fi
.venv/bin/clerk-app --demo "$@"
