#!/usr/bin/env bash
# Local CloudFormation emulator for integration tests: moto_server (pinned) + cfn_changeset_patch.py.
# Loopback only. Copy this folder into the project (for example tests/emulator/) so a fresh clone can run it.
#
#   eval "$(tests/emulator/emulator.sh start)"   # installs the venv on first use, starts, prints env exports
#   cargo test --test deploy_emulator            # tests read MDL_TEST_ENDPOINT, AWS_* (see run-tests.sh)
#   tests/emulator/emulator.sh stop
#   tests/emulator/emulator.sh reset             # wipe all emulator state (POST /moto-api/reset)
#
# Environment: MDL_EMULATOR_PORT (default 45123), MDL_EMULATOR_VENV (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/mdl/emulator-venv, kept between runs so CI reuses it).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${MDL_EMULATOR_PORT:-${EMU_PORT:-45123}}"
VENV="${MDL_EMULATOR_VENV:-${EMU_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mdl/emulator-venv}}"
STATE="${EMU_STATE:-${TMPDIR:-/tmp}/mdl-emulator-$PORT}"
MOTO_SPEC="${EMU_MOTO_SPEC:-moto[server]==5.2.5}"
URL="http://127.0.0.1:$PORT"
mkdir -p "$STATE"

ensure_venv() {
  if ! "$VENV/bin/python" -c 'import moto, flask' >/dev/null 2>&1; then
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "$MOTO_SPEC" >&2
  fi
}

case "${1:-}" in
  start)
    if curl -fsS -o /dev/null "$URL/moto-api/" 2>/dev/null; then
      echo "emulator: something already answers on $URL" >&2; exit 1
    fi
    ensure_venv
    "$VENV/bin/python" "$HERE/run_moto_server.py" -H 127.0.0.1 -p "$PORT" >"$STATE/server.log" 2>&1 &
    echo $! >"$STATE/pid"
    for _ in $(seq 1 300); do
      if curl -fsS -o /dev/null "$URL/moto-api/" 2>/dev/null; then
        cat <<ENV
export AWS_ENDPOINT_URL=$URL
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=\${AWS_REGION:-us-east-1}
export MDL_TEST_ENDPOINT=$URL
ENV
        exit 0
      fi
      kill -0 "$(cat "$STATE/pid")" 2>/dev/null || { echo "emulator died:" >&2; tail -30 "$STATE/server.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "emulator: no answer on $URL after 30 s" >&2; tail -30 "$STATE/server.log" >&2; exit 1 ;;
  stop)
    if [ -f "$STATE/pid" ]; then kill "$(cat "$STATE/pid")" 2>/dev/null || true; rm -f "$STATE/pid"; fi ;;
  reset)
    curl -fsS -X POST "$URL/moto-api/reset" >/dev/null ;;
  log)
    cat "$STATE/server.log" ;;
  *)
    echo "usage: $0 start|stop|reset|log" >&2; exit 2 ;;
esac
