#!/usr/bin/env bash
# GET / at scale: a store of SERVICES services (default 200,000), seeded through
# the API, then
#   - one full listing: its time and size;
#   - eight full listings at once: the server's resident memory at its highest
#     during them (sampled every 20 ms) and once they are done;
#   - the same list a page at a time (limit=10000, following the Link headers);
#   - durable pulses alone, then beside a client looping full listings: the
#     ratio is what a reader costs the writers.
#
# Usage: bench/list.sh [SERVICES] [SECONDS]
#   WATCHTOWER_BENCH_BIN=PATH measures that binary instead of this checkout's
#   release build (to compare two builds on the same machine).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

services=${1:-200000}
seconds=${2:-10}
ensure_wrk
bench_binary
bench_scratch

WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD",
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON
start_watchtower

rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
# Samples the server's RSS every 20 ms into $1 until killed.
sample_rss() { while :; do awk '/^VmRSS/ {print $2}' "/proc/$server/status" >> "$1"; sleep 0.02; done; }
full_list() { curl -fsS -o "${1:-/dev/null}" -H "password: $WATCHTOWER_PASSWORD" "$url/"; }

echo "bench/list.sh: $(revision), $services services, $(nproc) cores"
bench/seed_services.py "$url" "$services"
echo "RSS after seeding: $(rss_mib) MiB"

start=$(date +%s.%N)
full_list "$work/list.json"
echo "one full listing: $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.2f') s, $(($(stat -c %s "$work/list.json") / 1048576)) MiB"
rm -f "$work/list.json"

sample_rss "$work/rss" & sampler=$!
start=$(date +%s.%N)
listings=()
for _ in 1 2 3 4 5 6 7 8; do full_list & listings+=($!); done
wait "${listings[@]}"
kill "$sampler"; wait "$sampler" 2>/dev/null || true
echo "eight full listings at once: $(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.2f') s, RSS at most $(sort -n "$work/rss" | tail -1 | awk '{printf "%.0f", $1 / 1024}') MiB during, $(rss_mib) MiB after"

{ python3 - "$url" <<'PY'
import json, os, sys, time, urllib.error, urllib.request
url, password = sys.argv[1], os.environ["WATCHTOWER_PASSWORD"]
path, pages, count, started = "/?limit=10000", 0, 0, time.monotonic()
while path:
    request = urllib.request.Request(url + path, headers={"password": password})
    try:
        with urllib.request.urlopen(request) as response:
            count += len(json.load(response))
            link = response.headers.get("Link")
    except urllib.error.HTTPError as error:
        # A build from before GET / took `limit` (to compare with one).
        sys.exit(f"paged listing: refused by this build ({error.code})")
    pages += 1
    path = link[1:link.index(">")] if link else None
print(f"paged listing (limit=10000): {count} services in {pages} pages, {time.monotonic() - started:.2f} s")
PY
} || true

pulses "durable pulses" alone
( while :; do full_list || true; done ) & reader=$!
pulses "durable pulses, beside full lists" beside
kill "$reader"; wait "$reader" 2>/dev/null || true
echo "ratio beside/alone: $(echo "scale=2; $(cat "$work/rps-beside") / $(cat "$work/rps-alone")" | bc)"
echo "peak RSS (VmHWM): $(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status") MiB"
