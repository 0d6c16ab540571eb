#!/usr/bin/env bash
# Runs a benchmark of bench/ against the real services of the test configuration (its
# database is reset) and records the figures in docs/benchmarks.md.
#   scripts/bench.sh [harvest] [--entries N]
set -euo pipefail
source "$(dirname "$0")/test-services.sh"

name=${1:-harvest}; shift || true
"$GE_VENV/bin/python" "bench/$name.py" "$@"
