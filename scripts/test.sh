#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs lint and the whole suite.
#   Python packages go into .venv; Debian's chromium (for static export and browser tests) via apt.
#   Lint is ruff check and ruff format --check. Extra arguments go to pytest, e.g.  bash scripts/test.sh -k schedules
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest -q -n 2 --dist loadgroup "$@"
