#!/usr/bin/env bash
# Property-based contract test: schemathesis against docs/openapi.yaml and a fresh sandbox.
#
# Creates (once) a Python venv under target/ with a pinned schemathesis, starts the
# agenda-sandbox binary on 127.0.0.1:0 with a temporary database and the demo seed, logs in as
# demo/demo, and runs schemathesis with the bearer token. Fails on any server error, any
# response that violates the document (status code, content type, headers, body schema),
# any invalid input the service accepts, and unenforced authentication.
#
# Environment: AGENDA_SANDBOX_BIN (a built binary; default: cargo build, debug),
# SCHEMATHESIS_MAX_EXAMPLES (per operation, default 30), SCHEMATHESIS_TIMEOUT (hard limit in
# seconds for the whole run, default 600).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=4.32.5
VENV="$ROOT/target/schemathesis-venv"
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
TIMEOUT=${SCHEMATHESIS_TIMEOUT:-600}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $VERSION\$"; then
    echo "schemathesis: installing $VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

BIN=${AGENDA_SANDBOX_BIN:-}
if [ -z "$BIN" ]; then
    (cd "$ROOT" && cargo build --quiet -p agenda-sandbox --bin agenda-sandbox)
    BIN="$ROOT/target/debug/agenda-sandbox"
fi

WORK=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

AGENDA_SANDBOX_LOG=warn "$BIN" --listen 127.0.0.1:0 --db "$WORK/sandbox.db" --seed demo \
    --access-token-ttl 3600 >"$WORK/stdout" 2>"$WORK/stderr" &
PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n '1s/^listening on //p' "$WORK/stdout" 2>/dev/null || true)
    [ -n "$URL" ] && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/stderr" >&2; exit 1; }
    sleep 0.05
done
[ -n "$URL" ] || { echo "the sandbox did not start" >&2; exit 1; }

TOKEN=$("$VENV/bin/python" - "$URL" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(
    sys.argv[1] + "/api/v1/auth/token",
    data=json.dumps({"grant_type": "password", "username": "demo", "password": "demo"}).encode(),
    headers={"content-type": "application/json"},
)
print(json.load(urllib.request.urlopen(request))["access_token"])
PY
)

set +e
timeout --signal=INT --kill-after=30 "$TIMEOUT" "$VENV/bin/schemathesis" run "$ROOT/docs/openapi.yaml" \
    --url "$URL/api/v1" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,missing_required_header,unsupported_method,allow_header_conformance,ignored_auth \
    --max-examples "$MAX_EXAMPLES" \
    --request-timeout 10 \
    --seed 20261126 \
    --workers 2 \
    --warnings off
STATUS=$?
set -e
if grep -q "panicked" "$WORK/stderr"; then
    echo "the sandbox panicked:" >&2
    cat "$WORK/stderr" >&2
    STATUS=1
fi
exit $STATUS
