#!/usr/bin/env bash
# Runs the JavaScript client's tests against a real watchtower binary.
#
# Installs what the tests need on a Debian machine (Node 18+ and npm, Chromium,
# openssl, the npm dev dependency), then runs `node --test`. It does not build
# the server: it uses $WATCHTOWER_BIN, by default ../../target/debug/watchtower
# (cargo build -p watchtower). Safe to run again and again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

export WATCHTOWER_BIN="${WATCHTOWER_BIN:-$here/../../target/debug/watchtower}"

# Node, npm and Chromium, installed if missing.
source "$here/../../scripts/browser-test-tools"
if ! command -v openssl >/dev/null 2>&1; then apt_install openssl; fi

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

exec node --test test/*.test.js
