#!/usr/bin/env bash
# What heavy reads cost the writers: a store of EVENTS events (default 3,000,000,
# over 1,000 services), then durable pulses measured
#   - alone;
#   - beside four clients looping the heaviest reads there are: two a two-letter
#     message search that matches nothing (no index serves it: every event is
#     read), two /event-stats?bucket=day over 30 days (every event counted).
# It prints both rates, their ratio and p99s, and what the readers got: reads
# answered, reads refused at limits.readTimeout (503), and their median time.
#
# Usage: bench/heavy_reads.sh [EVENTS] [sqlite|postgres] [SECONDS]
#   WATCHTOWER_BENCH_BIN=PATH measures that binary instead of this checkout's
#   release build (to compare two builds on the same machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

usage() { echo "usage: bench/heavy_reads.sh [EVENTS] [sqlite|postgres] [SECONDS]" >&2; exit 2; }
total="${1:-3000000}"
mode="${2:-sqlite}"
seconds="${3:-20}"
[[ $total =~ ^[1-9][0-9]*$ && $seconds =~ ^[1-9][0-9]*$ ]] || usage
case "$mode" in sqlite | postgres) ;; *) usage ;; esac
ensure_wrk
bench_binary
bench_scratch

bench_storage "$mode"
python3 bench/events_data.py generate "$work/bodies" 50
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD", $storage
 "limits": {"maxBulkBytes": 16777216},
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON
start_watchtower

echo "bench/heavy_reads.sh: $(revision), $mode, $total events, $(nproc) cores"
read -r loaded load_seconds < <(python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" "$total")
echo "loaded $loaded events in $load_seconds s"
if [ "$mode" = sqlite ]; then
  python3 bench/settle.py index "$work/data"
  python3 bench/settle.py checkpoint "$work/data"
fi

pulses "durable pulses alone" alone
python3 - "$url" "$work/readers" <<'PY' &
import http.client, json, os, sys, threading, time, urllib.parse
url, out = sys.argv[1], sys.argv[2]
password = os.environ["WATCHTOWER_PASSWORD"]
paths = ["/list-events?message=qx", "/event-stats?bucket=day"] * 2
parsed = urllib.parse.urlsplit(url)
results = []  # (path, status, seconds)
stop = threading.Event()

def loop(path):
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)
    while not stop.is_set():
        started = time.monotonic()
        conn.request("GET", path, headers={"password": password})
        response = conn.getresponse()
        response.read()
        results.append((path, response.status, time.monotonic() - started))

threads = [threading.Thread(target=loop, args=(p,), daemon=True) for p in paths]
for t in threads:
    t.start()
# Runs until the script is told to stop (SIGTERM), then writes what it saw.
import signal
signal.signal(signal.SIGTERM, lambda *_: stop.set())
while not stop.is_set():
    time.sleep(0.1)
with open(out, "w") as f:
    json.dump(results, f)
PY
readers=$!
also_stop=$readers
sleep 2 # the readers are under way before the pulses start
pulses "durable pulses, beside 4 heavy readers" beside
if [ "$mode" = sqlite ]; then
  echo "write-ahead log when the pulses stopped: $(($(stat -c %s "$work/data/watchtower.db-wal" 2>/dev/null || echo 0) / 1048576)) MiB"
fi
kill -TERM "$readers"
wait "$readers" || true
echo "ratio beside/alone: $(echo "scale=2; $(cat "$work/rps-beside") / $(cat "$work/rps-alone")" | bc)"
python3 - "$work/readers" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))
for path in sorted({r[0] for r in results}):
    mine = [r for r in results if r[0] == path]
    ok = [r[2] for r in mine if r[1] == 200]
    refused = [r for r in mine if r[1] == 503]
    other = [r[1] for r in mine if r[1] not in (200, 503)]
    median = f"{statistics.median(ok):.2f} s" if ok else "-"
    print(f"  {path}: {len(ok)} answered (median {median}), {len(refused)} refused (503)"
          + (f", other statuses {sorted(set(other))}" if other else ""))
PY
echo "peak RSS (VmHWM): $(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status") MiB"
