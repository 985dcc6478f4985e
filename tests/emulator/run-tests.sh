#!/usr/bin/env bash
# Run the deploy integration tests against the local CloudFormation emulator:
# start it (installing its venv on first use), run tests/deploy_emulator.rs
# against it, stop it whatever happens. Extra arguments go to `cargo test`.
#
#   tests/emulator/run-tests.sh            # from the repository root
#
# The tests share one server and reset it themselves (POST /moto-api/reset),
# so they run in a single test function; nothing else may use the port
# (MDL_EMULATOR_PORT, default 45123) meanwhile.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EMU="$ROOT/tests/emulator/emulator.sh"
cd "$ROOT"
exports="$("$EMU" start)"
trap '"$EMU" stop' EXIT
eval "$exports"
cargo test --test deploy_emulator "$@" -- --test-threads=1
