#!/usr/bin/env bash
# Runs the Python client's tests against a real watchtower binary.
#
#   WATCHTOWER_BIN=/path/to/watchtower bash clients/python/test.sh [pytest args…]
#
# WATCHTOWER_BIN defaults to ../../target/debug/watchtower relative to this script
# (`cargo build -p watchtower` at the repository root); this script never builds it.
# It installs `requests` and `pytest` when they are missing, and puts the package on PYTHONPATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

python="${PYTHON:-python3}"
WATCHTOWER_BIN="${WATCHTOWER_BIN:-$here/../../target/debug/watchtower}"
# A relative WATCHTOWER_BIN is relative to where the script was called from.
[[ "$WATCHTOWER_BIN" == /* ]] || WATCHTOWER_BIN="$PWD/$WATCHTOWER_BIN"
export WATCHTOWER_BIN
cd "$here"
if [[ ! -x "$WATCHTOWER_BIN" ]]; then
    echo "test.sh: no watchtower binary at $WATCHTOWER_BIN (build it with \`cargo build -p watchtower\`, or set WATCHTOWER_BIN)" >&2
    exit 1
fi

export PIP_ROOT_USER_ACTION=ignore
pip_install() {
    # Debian's python3 refuses system-wide installs (PEP 668) unless told it may.
    "$python" -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null ||
        "$python" -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

missing=()
"$python" -c 'import requests' 2>/dev/null || missing+=("requests>=2.20")
"$python" -c 'import pytest' 2>/dev/null || missing+=("pytest>=7")
if (( ${#missing[@]} )); then
    if ! "$python" -m pip --version >/dev/null 2>&1; then
        echo "test.sh: $python has no pip; install it (apt-get install python3-pip)" >&2
        exit 1
    fi
    echo "test.sh: installing ${missing[*]}"
    pip_install "${missing[@]}"
fi

export PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
exec "$python" -m pytest -p no:cacheprovider "$@"
