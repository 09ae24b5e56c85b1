#!/usr/bin/env bash
# Load benchmark of the sandbox (not a test): release build, loopback only, bounded.
# Reports holds/s, POST /bookings p50/p99, GET /slots p50/p99 and the double bookings found
# afterwards (client side and in the database; both must be 0).
#
# Usage: scripts/bench-sandbox.sh [--clients 32] [--attempts 12000] [--reads 30000]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
exec cargo bench -p agenda-sandbox --bench load -- "$@"
