#!/usr/bin/env bash
# Set up everything (idempotent) and run the whole test suite. The tests start the real services they
# need themselves (pcscd + vpcd, SANE test backend, cupsd + cups-pdf, PostgreSQL, the back office).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
