#!/usr/bin/env bash
# Runs the whole test suite against the real services, starting them if needed (and
# stopping afterwards those it started, unless GE_KEEP_SERVICES=1). Extra arguments go
# to pytest: scripts/test.sh tests/test_search_engine.py -k accent
set -euo pipefail
source "$(dirname "$0")/test-services.sh"

"$GE_VENV/bin/ruff" check --quiet .
"$GE_VENV/bin/python" -m pytest "$@"
