#!/usr/bin/env bash
# Builds the Watchtower Java client and runs its tests against a real watchtower server.
# The server is not built here: set WATCHTOWER_BIN, or build it first with
# `cargo build -p watchtower` (the default is ../../target/debug/watchtower).
# Usage: clients/java/test.sh [substring-of-test-name ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${WATCHTOWER_BIN:-}" ] && [ "${WATCHTOWER_BIN#/}" = "$WATCHTOWER_BIN" ]; then
    WATCHTOWER_BIN="$PWD/$WATCHTOWER_BIN"   # relative to where the script was called from
fi
cd "$here"

need_install=()
if ! command -v javac >/dev/null 2>&1 || ! command -v jar >/dev/null 2>&1 \
    || ! javac --release 8 -version >/dev/null 2>&1; then
    need_install+=(default-jdk-headless)   # javac 9+ (for --release 8) and jar
fi
if ! command -v openssl >/dev/null 2>&1; then
    need_install+=(openssl)                # the HTTPS tests make a certificate
fi
if [ ${#need_install[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_install[@]}"
fi

export WATCHTOWER_BIN="${WATCHTOWER_BIN:-$here/../../target/debug/watchtower}"
if [ ! -x "$WATCHTOWER_BIN" ]; then
    echo "no watchtower binary at $WATCHTOWER_BIN: build it with 'cargo build -p watchtower', or set WATCHTOWER_BIN" >&2
    exit 1
fi

./build.sh

rm -rf build/test-classes
mkdir -p build/test-classes
find src/test/java -name '*.java' > build/test-sources.txt
javac --release 8 -encoding UTF-8 -Xlint:all,-options -cp build/watchtower-client.jar \
    -d build/test-classes @build/test-sources.txt

java -cp build/watchtower-client.jar:build/test-classes io.watchtower.client.TestRunner "$@"
