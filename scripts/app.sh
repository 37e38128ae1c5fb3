#!/usr/bin/env bash
# Installs the app's packages into .venv and starts the page on http://localhost:8501
#   (serve.py: app.py with the engine warmed up while the browser loads; `streamlit run app.py` works too)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python -m streamlit run serve.py --browser.gatherUsageStats=false "$@"
