#!/usr/bin/env bash
# The event log at scale: a store preloaded with EVENTS events (default 10,000,000)
# over 1,000 services, then ingest, queries and export measured against it.
# Usage: bench/events.sh [EVENTS] [sqlite|postgres]
#   sqlite    one node on its own SQLite file, search index on (default)
#   postgres  one node on a fresh PostgreSQL database ($WATCHTOWER_BENCH_POSTGRES_URL,
#             else the local server), dropped at exit
# Figures are for reading, never asserted; each is printed beside the HTTP ceiling
# measured in the same run. Needs python3, curl and wrk (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

usage() { echo "usage: bench/events.sh [EVENTS] [sqlite|postgres]" >&2; exit 2; }
total="${1:-10000000}"
mode="${2:-sqlite}"
[[ $total =~ ^[1-9][0-9]*$ ]] || usage
case "$mode" in sqlite | postgres) ;; *) usage ;; esac
ensure_wrk
cargo build --release --quiet

work=$(mktemp -d)
server=""
sampler=""
db=""
cleanup() {
  set +e
  # shellcheck disable=SC2086
  stop_processes $sampler $server
  drop_database "$pg_server_url" "$db"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

storage=""
if [ "$mode" = postgres ]; then
  db=$(create_database "$pg_server_url")
  db_url=$(database_url "$pg_server_url" "$db")
  storage="\"storage\": {\"backend\": \"postgres\", \"url\": $(json_string "$db_url")},"
fi

python3 bench/events_data.py generate "$work/bodies" 50
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD", $storage
 "limits": {"maxBulkBytes": 16777216}}
JSON
RUST_LOG=warn target/release/watchtower serve --config "$work/config.json" \
  > "$work/stdout" 2> "$work/stderr" &
server=$!
url=$(server_url "$server" "$work/stdout")
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }

# The server's resident memory, sampled every 100 ms into $work/rss (KiB).
( while alive "$server"; do awk '/VmRSS/ {print $2}' "/proc/$server/status"; sleep 0.1; done ) \
  > "$work/rss" 2>/dev/null &
sampler=$!
peak_rss() { sort -n "$work/rss" | tail -n 1 | awk '{printf "%d MiB", $1 / 1024}'; }

# wrk against the server: name, script, threads, connections, seconds[, "404s"].
bench() {
  local name=$1 script=$2 threads=$3 conns=$4 seconds=$5 expected=${6:-2xx} figures
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "bench/$script" "$url" > "$work/wrk" 2>&1 \
    || { cat "$work/wrk" >&2; echo "$name: wrk failed" >&2; exit 1; }
  if grep -q "Non-2xx" "$work/wrk" && [ "$expected" != "404s" ]; then
    cat "$work/wrk" >&2; echo "$name: some requests failed" >&2; exit 1
  fi
  figures=$(wrk_figures "$work/wrk") || { echo "$name: cannot read wrk's figures" >&2; exit 1; }
  # shellcheck disable=SC2086
  line "$name" $figures
  grep "Socket errors" "$work/wrk" | sed 's/^ */  /' || true
}

echo "watchtower $(revision), $(nproc) cores; $mode; $total events over 1,000 services"
bench "ceiling (auth + JSON 404), 64 conn" ceiling.lua 2 64 5 404s

# Bulk ingest doubles as the preload: 10,000 events a request, 4 requests at a time.
load_start=$(date +%s)
read -r loaded seconds < <(python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" "$total")
load_end=$(date +%s)
awk -v n="$loaded" -v s="$seconds" \
  'BEGIN { printf "bulk ingest (POST /add-events)     %10.0f events/s   (%d events in %.1f s, 10,000 a request, 4 at once)\n", n / s, n, s }'
echo "  server peak RSS so far: $(peak_rss)"

if [ "$mode" = sqlite ]; then
  # The search index is built in the background; time how long it trails the load.
  index_start=$(date +%s.%N)
  python3 bench/settle.py index "$work/data"
  awk -v a="$index_start" -v b="$(date +%s.%N)" \
    'BEGIN { printf "search index caught up              %.1f s after the load\n", b - a }'
  # Queries are measured once the load's log is copied into the database.
  python3 bench/settle.py checkpoint "$work/data"
else
  psql "$db_url" -qc "VACUUM ANALYZE events" >/dev/null
fi

export BENCH_FROM=$load_start BENCH_TO=$(((load_start + load_end) / 2))
BENCH_QUERY=service bench "service + range, newest 100, 4 conn" query.lua 1 4 10
BENCH_QUERY=errors bench "level=error, 24 h, newest 100" query.lua 1 4 10
BENCH_QUERY=search bench "rare word search, newest 100" query.lua 1 4 10
BENCH_QUERY=attribute bench "service + range + 2 attributes, newest 100" query.lua 1 4 10
# An attribute filter alone reads the whole log, as a short message search does: once,
# for a value no event has (the worst case), timed by curl.
curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H "password: $WATCHTOWER_PASSWORD" \
  "$url/list-events?attr.host=nowhere" |
  awk '{ printf "attribute alone, no match (1 request)  %s in %.2f s\n", $1, $2 }'

bench "single-event ingest, 64 conn" event.lua 2 64 10

# Export: every event, streamed as NDJSON; memory sampled throughout.
: > "$work/rss"
export_start=$(date +%s.%N)
exported=$(curl -sS --fail -H "password: $WATCHTOWER_PASSWORD" -H "accept: application/x-ndjson" \
  "$url/list-events?order=asc" | wc -l)
awk -v n="$exported" -v a="$export_start" -v b="$(date +%s.%N)" \
  'BEGIN { printf "export (NDJSON, every event)        %10.0f events/s   (%d events in %.1f s)\n", n / (b - a), n, b - a }'
echo "  server peak RSS during the export: $(peak_rss)"

echo "server peak RSS overall: $(awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$server/status")"
if [ "$mode" = sqlite ]; then
  # Sizes once the server has stopped cleanly, its logs folded into the files.
  stop_processes "$server"
  # The write-ahead logs can outlive the server (up to 1 GiB each): fold them in.
  for file in watchtower.db watchtower-search.db; do
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' \
      "$work/data/$file"
  done
  # The total size of those of the files "$@" that exist.
  bytes() {
    local file total=0
    for file in "$@"; do [ ! -f "$file" ] || total=$((total + $(stat -c %s "$file"))); done
    echo "$total"
  }
  events_bytes=$(bytes "$work/data/watchtower.db" "$work/data/watchtower.db-wal")
  index_bytes=$(bytes "$work/data/watchtower-search.db" "$work/data/watchtower-search.db-wal")
else
  events_bytes=$(psql "$db_url" -Atc "SELECT pg_total_relation_size('events') - COALESCE(pg_relation_size('events_message_trgm'), 0)")
  index_bytes=$(psql "$db_url" -Atc "SELECT COALESCE(pg_relation_size('events_message_trgm'), 0)")
fi
awk -v e="$events_bytes" -v i="$index_bytes" -v n="$exported" 'BEGIN {
  printf "disk per event: %.0f B without the search index, %.0f B with it (%.2f GB + %.2f GB)\n",
    e / n, (e + i) / n, e / 1e9, i / 1e9 }'
if [ -s "$work/stderr" ]; then
  echo "the server logged $(wc -l < "$work/stderr") warning/error lines; the first:"
  head -n 3 "$work/stderr" | sed 's/^/  /'
fi
