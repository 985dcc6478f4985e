#!/usr/bin/env bash
# Regenerate src/cfn/schemas/cloudformation.json from the CloudFormation resource
# provider schemas shipped in the (pinned) cfn-lint package on PyPI.
#
#   tools/schemas/refresh.sh            # uses python3.11 (or python3)
#   PYTHON=python3.12 tools/schemas/refresh.sh
#   CFN_LINT_VERSION=1.59.0 tools/schemas/refresh.sh   # try a newer release
#
# The venv lives under ${TMPDIR:-/tmp} and is reused between runs. cfn-lint is
# installed with --no-deps: refresh.py never imports it, it only reads the
# package's bundled JSON data (and two literal tables from its source).
# When bumping the pin, update CFN_LINT_VERSION below and the version in
# src/cfn/schemas/README.md, rerun, and run tools/schemas/test_schemas.py.
set -euo pipefail

CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ -z "${PYTHON:-}" ]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi

venv="${TMPDIR:-/tmp}/mdl-cfn-schemas-venv-${CFN_LINT_VERSION}"
if [ ! -x "$venv/bin/python" ]; then
  "$PYTHON" -m venv "$venv"
fi
installed="$("$venv/bin/python" -c 'import importlib.metadata as m
try: print(m.version("cfn-lint"))
except Exception: print("")')"
if [ "$installed" != "$CFN_LINT_VERSION" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps "cfn-lint==${CFN_LINT_VERSION}"
fi

"$venv/bin/python" "$here/refresh.py" --out "$root/src/cfn/schemas/cloudformation.json" "$@"
"$venv/bin/python" "$here/test_schemas.py"
