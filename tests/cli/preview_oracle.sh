#!/usr/bin/env bash
# Cadence preview vs. an independent Python zoneinfo implementation (tests/oracle).
# $1 = path to the episodes-core CLI. Prints the case count; exits non-zero on a mismatch.
set -euo pipefail
cli=${1:?usage: preview_oracle.sh /path/to/episodes-core}
exec python3 "$(dirname "$0")/../oracle/preview_oracle.py" "$cli" --cases 6000
