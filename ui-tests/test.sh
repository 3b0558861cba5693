#!/usr/bin/env bash
# Runs the dashboard's end-to-end tests: a real watchtower binary, driven through
# headless Chromium (Debian's chromium package) by playwright-core.
#
# Installs what the tests need on a Debian machine (Node 18+ and npm, Chromium,
# the npm dev dependency), then runs `node --test`. It does not build the
# server: it uses $WATCHTOWER_BIN, by default ../target/debug/watchtower
# (cargo build -p watchtower). Screenshots of each view go to
# target/ui-screenshots/. Safe to run again and again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

export WATCHTOWER_BIN="${WATCHTOWER_BIN:-$here/../target/debug/watchtower}"
export UI_SCREENSHOTS="${UI_SCREENSHOTS:-$here/../target/ui-screenshots}"

# Node, npm and Chromium, installed if missing.
source "$here/../scripts/browser-test-tools"

# npm ci when node_modules is missing or was installed from another lock file.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f node_modules/.watchtower-lock-hash ] || [ "$(cat node_modules/.watchtower-lock-hash)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.watchtower-lock-hash
fi

if [ ! -x "$WATCHTOWER_BIN" ]; then
  echo "test.sh: no watchtower binary at $WATCHTOWER_BIN; build it (cargo build -p watchtower) or set WATCHTOWER_BIN" >&2
  exit 1
fi
mkdir -p "$UI_SCREENSHOTS"

# Arguments, if any, are node --test's (test files, --test-name-pattern=…).
if [ "$#" -gt 0 ]; then exec node --test "$@"; fi
# The files run side by side, except the one that times the first screen: it
# runs alone, so that its figure does not measure the other tests' load.
node --test $(ls ./*.test.js | grep -v '/scale\.test\.js$')
exec node --test ./scale.test.js
