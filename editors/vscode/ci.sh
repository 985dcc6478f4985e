#!/usr/bin/env bash
# CI for the VS Code extension, from a clean checkout: install the exact
# dependencies of package-lock.json, compile, run the unit tests and the grammar
# tests, package the .vsix (no network needed beyond `npm ci`) and look inside it.
# The last line is `grammar: N passed, M failed`, N counting asserted source lines.
#
#   VSIX_OUT=dir ./ci.sh    keeps the .vsix in dir (default: a temporary folder)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${VSIX_OUT:-$work/vsix}"
mkdir -p "$out"

echo "== npm ci"
npm ci --no-audit --no-fund

echo "== compile (type check and tests) and bundle (what ships)"
npm run --silent compile
npm run --silent bundle

echo "== unit tests"
node --test out/test/

echo "== grammar tests"
status=0
npx --no-install vscode-tmgrammar-test --compact -g syntaxes/mdl.tmLanguage.json \
  --xunit-report "$work/xunit" 'tests/**/*.mdl' || status=$?
read -r passed failed < <(node -e '
  const fs = require("fs"), path = require("path");
  const dir = process.argv[1], files = fs.readdirSync("tests").filter((f) => f.endsWith(".mdl"));
  let tests = 0, failures = 0, reported = 0;
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const xml = fs.readFileSync(path.join(dir, f), "utf8");
    tests += Number(/\btests="(\d+)"/.exec(xml)[1]);
    failures += Number(/\bfailures="(\d+)"/.exec(xml)[1]) + Number(/\berrors="(\d+)"/.exec(xml)[1]);
    reported++;
  }
  // A test file that could not be parsed has no report: count it as one failure.
  failures += Math.max(0, files.length - reported);
  console.log(tests - Math.min(tests, failures), failures);
' "$work/xunit")
assertions="$(cat tests/*.mdl | grep -cE '^//[[:space:]]*(\^|<~*-)')"
echo "grammar: $(ls tests/*.mdl | wc -l) files, $assertions scope assertions"

if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "== package"
  # No repository URL is published yet: say so, or vsce stops to ask.
  npx --no-install vsce package --allow-missing-repository --out "$out/"
  vsix="$(ls "$out"/mdl-*.vsix)"
  listing="$(unzip -Z1 "$vsix")"
  for want in extension/package.json extension/dist/extension.js extension/syntaxes/mdl.tmLanguage.json \
              extension/language-configuration.json extension/LICENSE.txt extension/readme.md; do
    if ! grep -qxF "$want" <<<"$listing"; then
      echo "error: $vsix does not contain $want" >&2
      status=1
    fi
  done
  # The bundle holds every runtime dependency: no node_modules, no sources, no tests.
  for unwanted in extension/src/ extension/tests/ extension/out/ extension/node_modules/ extension/ci.sh; do
    if grep -q "^$unwanted" <<<"$listing"; then
      echo "error: $vsix should not contain $unwanted" >&2
      status=1
    fi
  done
  echo "== the packaged extension activates with its bundled dependencies"
  unzip -q "$vsix" 'extension/*' -d "$work/unpacked"
  MDL_EXTENSION_MAIN="$work/unpacked/extension/dist/extension.js" node --test out/test/activation.test.js
  echo "vsix: $vsix ($(wc -c <"$vsix") bytes, $(wc -l <<<"$listing") files)"
  [ -n "${VSIX_OUT:-}" ] || echo "(a temporary folder, removed on exit: set VSIX_OUT=dir to keep the .vsix)"
fi

echo "grammar: $passed passed, $failed failed"
exit "$status"
