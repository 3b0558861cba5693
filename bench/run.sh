#!/usr/bin/env bash
# Durable write throughput: pulses and events at 64 keep-alive connections.
# Usage: bench/run.sh [SECONDS] [sqlite|postgres|postgres-3]
#   SECONDS     per scenario (default 10)
#   sqlite      one node on its own SQLite file (default)
#   postgres    one node on a fresh PostgreSQL database
#   postgres-3  three nodes sharing one fresh PostgreSQL database, driven at once
# The PostgreSQL server is $WATCHTOWER_BENCH_POSTGRES_URL, else the local one
# (postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); each run creates a
# database of its own there and drops it at exit.
# WATCHTOWER_BENCH_BIN=PATH runs that binary instead of building this checkout's
# release build: to compare two builds on the same machine, alternate them.
# Prints requests/s and p50/p99 latency for each scenario; figures are for
# reading, never asserted. Durability is always on (SQLite WAL, synchronous=FULL;
# PostgreSQL as configured, its settings are printed: each batch is committed
# before its requests are answered).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

usage() { echo "usage: bench/run.sh [SECONDS] [sqlite|postgres|postgres-3]" >&2; exit 2; }
duration="${1:-10}"
mode="${2:-sqlite}"
[[ $duration =~ ^[1-9][0-9]*$ ]] || usage
case "$mode" in
  sqlite) nodes=1 ;;
  postgres) nodes=1 ;;
  postgres-3) nodes=3 ;;
  *) usage ;;
esac
connections=64
pool=16 # PostgreSQL connections per node

ensure_wrk
if [ "$mode" != sqlite ] && ! command -v psql >/dev/null; then
  echo "bench/run.sh $mode needs psql (Debian package postgresql-client)" >&2
  exit 1
fi
bin="${WATCHTOWER_BENCH_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin=target/release/watchtower
fi

# Everything below is undone by cleanup, whatever way the script ends.
work=$(mktemp -d)
servers=()  # server pids, node order
urls=()     # server URLs, node order
wrks=()     # wrk pids while a scenario runs
db=""       # the PostgreSQL database this run created

cleanup() {
  set +e
  stop_processes ${wrks[@]+"${wrks[@]}"} ${servers[@]+"${servers[@]}"}
  drop_database "$pg_server_url" "$db"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

storage=""
if [ "$mode" != sqlite ]; then
  db=$(create_database "$pg_server_url")
  db_url=$(database_url "$pg_server_url" "$db")
  storage="\"storage\": {\"backend\": \"postgres\", \"url\": $(json_string "$db_url"), \"pool\": $pool},"
fi

export WATCHTOWER_PASSWORD="bench-$(date +%s)"
for i in $(seq "$nodes"); do
  mkdir "$work/node$i"
  cat > "$work/node$i/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/node$i/data", "password": "$WATCHTOWER_PASSWORD", $storage
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON
  RUST_LOG=warn "$bin" serve --config "$work/node$i/config.json" \
    > "$work/node$i/stdout" 2> "$work/node$i/stderr" &
  servers+=($!)
done
# Start-up (migrations included) is bounded: 30 s for each node.
for i in $(seq "$nodes"); do
  url=$(server_url "${servers[i - 1]}" "$work/node$i/stdout")
  [ -n "$url" ] || { echo "node $i did not start:" >&2; cat "$work/node$i/stderr" >&2; exit 1; }
  urls+=("$url")
done

# Latencies as wrk prints them (us, ms, s, m, h): the largest of the arguments.
worst() {
  printf '%s\n' "$@" | awk '
    function us(v,  unit) {
      unit = v; sub(/^[0-9.]+/, "", unit)
      return (v + 0) * (unit == "us" ? 1 : unit == "ms" ? 1e3 : unit == "s" ? 1e6 : unit == "m" ? 6e7 : 3.6e9)
    }
    us($1) >= top { top = us($1); worst = $1 }
    END { print worst }'
}

run() {
  # A third argument "404s" marks a scenario whose answers are meant to be errors.
  local name=$1 script=$2 expected=${3:-2xx}
  local i out rps p50 p99 conns=() all_rps=() all_p50=() all_p99=() details=()
  # One wrk per node, all at once; the connections split evenly between them, and
  # one thread each when there are several (two cores for three wrks and three nodes).
  local threads=$((nodes == 1 ? 2 : 1))
  for i in $(seq "$nodes"); do
    conns+=($((connections / nodes + (i <= connections % nodes ? 1 : 0))))
    wrk -t"$threads" -c"${conns[i - 1]}" -d"${duration}s" --latency -s "bench/$script" "${urls[i - 1]}" \
      > "$work/wrk$i" 2>&1 &
    wrks+=($!)
  done
  for i in $(seq "$nodes"); do
    wait "${wrks[i - 1]}" || { cat "$work/wrk$i" >&2; echo "$name: wrk failed against node $i" >&2; exit 1; }
  done
  wrks=()
  for i in $(seq "$nodes"); do
    out=$(<"$work/wrk$i")
    if grep -q "Non-2xx" <<<"$out" && [ "$expected" != "404s" ]; then
      echo "$out" >&2; echo "$name: some requests failed (node $i)" >&2; exit 1
    fi
    read -r rps p50 p99 < <(wrk_figures "$work/wrk$i") \
      || { echo "$name: cannot read wrk's figures (node $i)" >&2; exit 1; }
    all_rps+=("$rps"); all_p50+=("$p50"); all_p99+=("$p99")
    details+=("$(line "  node $i (${conns[i - 1]} connections)" "$rps" "$p50" "$p99")")
    # Unanswered requests (wrk's 2 s timeout, resets) are not failures, but are shown.
    grep "Socket errors" <<<"$out" | sed "s/^ */  node $i: /" >> "$work/socket-errors" || true
  done
  if [ "$nodes" = 1 ]; then
    line "$name" "$rps" "$p50" "$p99"
  else
    line "$name" "$(printf '%s\n' "${all_rps[@]}" | awk '{s += $1} END {printf "%.2f", s}')" \
      "$(worst "${all_p50[@]}")" "$(worst "${all_p99[@]}")"
    printf '%s\n' "${details[@]}"
  fi
  if [ -s "$work/socket-errors" ]; then cat "$work/socket-errors"; rm "$work/socket-errors"; fi
}

rev=$(revision)
case "$mode" in
  sqlite) storage_desc="SQLite" ;;
  postgres) storage_desc="PostgreSQL, 1 node" ;;
  postgres-3) storage_desc="PostgreSQL, 3 nodes on one database (req/s summed, p50/p99 the worst node's)" ;;
esac
echo "watchtower $rev, $(nproc) cores, ${connections} connections, ${duration}s each; $storage_desc"
if [ "$mode" != sqlite ]; then
  echo "postgres $(psql "$db_url" -Atc 'SHOW server_version' | cut -d' ' -f1):" \
    "fsync=$(psql "$db_url" -Atc 'SHOW fsync')," \
    "synchronous_commit=$(psql "$db_url" -Atc 'SHOW synchronous_commit')," \
    "pool $pool per node"
fi
run "ceiling (auth + JSON 404)" ceiling.lua 404s
run "durable pulses (POST /)" pulse.lua
run "durable events (POST /add-event)" event.lua
if [ "$nodes" = 1 ]; then
  # The same pulses with an API key (ingest scope) instead of the password.
  key=$(curl -fsS -X POST "${urls[0]}/keys" -H "password: $WATCHTOWER_PASSWORD" \
    -H 'Content-Type: application/json' -d '{"name": "bench", "scope": "ingest"}' |
    sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
  password=$WATCHTOWER_PASSWORD
  WATCHTOWER_PASSWORD=$key run "durable pulses, API key" pulse.lua
  # And while another client, from the same address, guesses passwords: the
  # throttle holds its connections, the valid client keeps its throughput.
  WATCHTOWER_PASSWORD=$password
  wrk -t1 -c64 -d"$((duration + 2))s" -s bench/guess.lua "${urls[0]}/" > "$work/guess" 2>&1 &
  guesser=$!
  wrks+=("$guesser")
  sleep 1
  run "durable pulses, password, beside a guesser" pulse.lua
  wait "$guesser" || true
  wrks=()
  echo "  the guesser: $(awk '/Requests\/sec/ {print $2}' "$work/guess") wrong passwords/s answered"
fi

rss=()
for i in $(seq "$nodes"); do
  alive "${servers[i - 1]}" || { echo "node $i exited during the run:" >&2; cat "$work/node$i/stderr" >&2; exit 1; }
  kib=$(awk '/VmHWM/ {print $2}' "/proc/${servers[i - 1]}/status")
  rss+=("$((kib / 1024)) MiB")
done
if [ "$mode" = sqlite ]; then
  size=$(du -sh "$work/node1/data" | cut -f1)
  # The write-ahead log once the load stops, and at rest (storage.walLimitMiB
  # bounds it under load; at rest it is cut back to at most 64 MiB).
  wal_size() { stat -c %s "$work/node1/data/watchtower.db-wal" 2>/dev/null || echo 0; }
  wal_after=$(wal_size)
  sleep 2
  echo "write-ahead log: $((wal_after / 1048576)) MiB when the load stopped, $(($(wal_size) / 1048576)) MiB 2 s later"
else
  size=$(psql "$db_url" -Atc 'SELECT pg_size_pretty(pg_database_size(current_database()))')
fi
if [ "$nodes" = 1 ]; then
  echo "server peak RSS: ${rss[0]}; database: $size"
else
  peaks=""
  for i in $(seq "$nodes"); do peaks+="${peaks:+, }node $i ${rss[i - 1]}"; done
  echo "server peak RSS: $peaks; database: $size"
fi
for i in $(seq "$nodes"); do
  if [ -s "$work/node$i/stderr" ]; then
    echo "node $i logged $(wc -l < "$work/node$i/stderr") warning/error lines; the first:"
    head -n 3 "$work/node$i/stderr" | sed 's/^/  /'
  fi
done
