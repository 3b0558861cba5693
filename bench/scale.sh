#!/usr/bin/env bash
# One SQLite store grown in steps, measured at each: what size costs.
#   events    at 0, EVENTS/10 and EVENTS events (default 10,000,000; bulk loaded,
#             10,000 a request): single-event ingest, bulk ingest, and the four
#             query shapes of bench/events.sh (service + range, level=error over
#             24 h, a rare word, service + range + attributes), newest 100 each
#   services  at 0 (new names), SERVICES/10 and SERVICES services (default
#             1,000,000; seeded through the API): durable pulses to random
#             existing services, with the server's RSS
#   disk      bytes per event and per service (write-ahead logs and search index
#             included), and the logs' size at rest
#   restart   with every service and event stored: time from start to /readyz,
#             and the RSS then
# Every rate is printed beside the HTTP ceiling measured first in the same run
# (the machine is shared: read ratios, not absolutes). Figures are never asserted.
#
# Usage: bench/scale.sh [SERVICES] [EVENTS] [SECONDS]
#   WATCHTOWER_BENCH_BIN=PATH measures that binary instead of this checkout's
#   release build. Needs python3, curl and wrk (installed if missing); about
#   2.5 GB of disk at the defaults, and 10 to 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

usage() { echo "usage: bench/scale.sh [SERVICES] [EVENTS] [SECONDS]" >&2; exit 2; }
services="${1:-1000000}"
events="${2:-10000000}"
seconds="${3:-10}"
for n in "$services" "$events" "$seconds"; do [[ $n =~ ^[1-9][0-9]*$ ]] || usage; done
ensure_wrk
bench_binary
bench_scratch

python3 bench/events_data.py generate "$work/bodies" 50
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD",
 "limits": {"maxBulkBytes": 16777216},
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON

rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }
# The total size in bytes of those of the data directory's files "$@" that exist.
bytes() {
  local file total=0
  for file in "$@"; do
    [ ! -f "$work/data/$file" ] || total=$((total + $(stat -c %s "$work/data/$file")))
  done
  echo "$total"
}
store_bytes() { bytes watchtower.db watchtower.db-wal watchtower-search.db watchtower-search.db-wal; }
log_mib() { echo $((($(bytes watchtower.db-wal) + $(bytes watchtower-search.db-wal)) / 1048576)); }
event_count() {
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])' \
    "$work/data/watchtower.db"
}
# Waits (up to a minute) until the logs are back within their bound at rest
# (64 MiB each), as they are once the load stops; sets $rested to the seconds.
rest() {
  rested=0
  while [ "$(log_mib)" -gt 128 ] && [ "$rested" -lt 60 ]; do sleep 1; rested=$((rested + 1)); done
}
settle() {
  python3 bench/settle.py index "$work/data"
  python3 bench/settle.py checkpoint "$work/data"
}

ceiling=""
# wrk against the server: name, script, connections[, "404s"]; prints the line
# with the rate as a share of the ceiling.
measure() {
  local name=$1 script=$2 conns=$3 expected=${4:-2xx} rps p50 p99
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "bench/$script" "$url" > "$work/wrk" 2>&1 \
    || { cat "$work/wrk" >&2; echo "$name: wrk failed" >&2; exit 1; }
  if grep -q "Non-2xx" "$work/wrk" && [ "$expected" != "404s" ]; then
    cat "$work/wrk" >&2; echo "$name: some requests failed" >&2; exit 1
  fi
  read -r rps p50 p99 < <(wrk_figures "$work/wrk")
  [ -n "$ceiling" ] || ceiling=$rps
  printf '%-40s %9s req/s  %5s× ceiling   p50 %8s   p99 %8s\n' "$name" "$rps" \
    "$(echo "scale=2; $rps / $ceiling" | bc)" "$p50" "$p99"
  echo "$rps" > "$work/last-rps"
}

start_watchtower
echo "bench/scale.sh: $(revision), $services services, $events events, $(nproc) cores"
measure "ceiling (auth + JSON 404)" ceiling.lua 64 404s
measure "pulses, new store (new names)" pulse.lua 64
new_store_pulses=$(cat "$work/last-rps")
: > "$work/stderr"

# Events: 0, a tenth, all.
loaded=0
load_start=$(date +%s)
events_at() {
  local target=$1 count secs
  if [ "$target" -gt "$loaded" ]; then
    read -r count secs < <(python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" $((target - loaded)))
    settle
    loaded=$(event_count)
    awk -v n="$count" -v s="$secs" \
      'BEGIN { printf "bulk ingest to %s events: %.0f events/s (%d in %.1f s)\n", "'"$loaded"'", n / s, n, s }'
  fi
  echo "-- $loaded events, $(rss_mib) MiB RSS"
  export BENCH_FROM=$load_start BENCH_TO=$(($(date +%s) + 1))
  BENCH_QUERY=service measure "  service + range, 4 conn" query.lua 4
  BENCH_QUERY=errors measure "  level=error, 24 h, 4 conn" query.lua 4
  BENCH_QUERY=search measure "  rare word search, 4 conn" query.lua 4
  BENCH_QUERY=attribute measure "  service + range + 2 attributes, 4 conn" query.lua 4
  measure "  single-event ingest, 64 conn" event.lua 64
  settle
  loaded=$(event_count)
}
events_at 0
events_at $((events / 10))
events_at "$events"
rest
events_bytes=$(store_bytes)
awk -v b="$events_bytes" -v n="$loaded" \
  'BEGIN { printf "disk per event: %.0f B, logs and search index included (%.2f GB for about %d events)\n", b / n, b / 1e9, n }'

# Services: 0 (measured above, new names), a tenth, all.
seeded=0
services_at() {
  local target=$1
  bench/seed_services.py "$url" $((target - seeded)) svc- "$seeded" | sed 's/^/  /'
  seeded=$target
  settle
  BENCH_SERVICES=$seeded measure "-- $seeded services: random pulses" pulse_random.lua 64
  printf '%-40s %9s× the new store   RSS %s MiB\n' "" \
    "$(echo "scale=2; $(cat "$work/last-rps") / $new_store_pulses" | bc)" "$(rss_mib)"
}
services_at $((services / 10))
services_at "$services"
settle
rest
services_bytes=$(($(store_bytes) - events_bytes))
awk -v b="$services_bytes" -v n="$services" \
  'BEGIN { printf "disk per service: %.0f B, its \"monitoring started\" event and the pulses since included\n", b / n }'
echo "logs at rest: $(log_mib) MiB, $rested s after the load; peak RSS so far $(hwm_mib) MiB"

# Restart with everything stored.
stop_processes "$server"
started=$(date +%s.%N)
start_watchtower
until curl -fsS -o /dev/null "$url/readyz"; do sleep 0.02; done
awk -v a="$started" -v b="$(date +%s.%N)" -v r="$(rss_mib)" \
  'BEGIN { printf "restart: ready (/readyz) %.2f s after start, RSS %d MiB\n", b - a, r }'
if [ -s "$work/stderr" ]; then
  echo "the server logged $(wc -l < "$work/stderr") warning/error lines; the first:"
  head -n 3 "$work/stderr" | sed 's/^/  /'
fi
