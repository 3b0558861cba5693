#!/usr/bin/env bash
# Backups at size: a SQLite store preloaded with EVENTS events (default 1,000,000),
# then `watchtower backup` timed on an idle server and under a write load (at its
# default idle CPU priority and with --full-speed), the write load's rate
# measured with and without a backup beside it, and `watchtower restore` timed
# on the stopped server.
# Usage: bench/backup.sh [EVENTS]
# Figures are for reading, never asserted. Needs python3 and wrk (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

total="${1:-1000000}"
[[ $total =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/backup.sh [EVENTS]" >&2; exit 2; }
ensure_wrk
bench_binary
bench_scratch

python3 bench/events_data.py generate "$work/bodies" 20
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD",
 "limits": {"maxBulkBytes": 16777216}}
JSON
# Runs "$@", prints its output line and the seconds it took.
timed() {
  local start out
  start=$(date +%s.%N)
  out=$("$@")
  awk -v a="$start" -v b="$(date +%s.%N)" -v out="$out" 'BEGIN { printf "%.2f s   %s\n", b - a, out }'
}
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }

start_watchtower
echo "watchtower $(revision), $(nproc) cores; SQLite; $total events over 1,000 services"
python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" "$total" > /dev/null
# Measured once the search index has caught up with the load (it competes for
# the two cores otherwise) and the load's log is in the database, as a nightly
# backup would find them.
python3 bench/settle.py index "$work/data"
python3 bench/settle.py checkpoint "$work/data"
echo "database: $(mib "$work/data/watchtower.db")"

echo -n "backup, idle server:        "
timed "$bin" backup --config "$work/config.json" "$work/idle.db"

# The write load: single durable events from 64 connections, 15 s.
ingest() {
  wrk -t2 -c64 -d15s --latency -s bench/event.lua "$url" > "$work/wrk" 2>&1
  # shellcheck disable=SC2046
  line "$1" $(wrk_figures "$work/wrk")
}
ingest "ingest alone, 64 conn"
# A backup three seconds into the load: at its default idle priority, then at full speed.
for mode in idle full; do
  flags=()
  [ "$mode" = idle ] || flags=(--full-speed)
  ( sleep 3; timed "$bin" backup --config "$work/config.json" "${flags[@]}" "$work/busy.db" > "$work/busy" ) &
  backup=$!
  ingest "ingest during a backup ($mode)"
  wait "$backup"
  echo "backup ($mode), under that load: $(cat "$work/busy")"
done

stop_processes "$server"
server=""
echo -n "restore, stopped server:    "
timed "$bin" restore --config "$work/config.json" "$work/busy.db"
