#!/usr/bin/env bash
# Durable write throughput: pulses and events at 64 keep-alive connections.
# Usage: bench/run.sh [SECONDS]   (default 10 s per scenario)
# Prints requests/s and p50/p99 latency for each scenario; figures are for
# reading, never asserted. Durability is always on (SQLite WAL, synchronous=FULL:
# each batch is fsynced before its requests are answered).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections=64

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)..." >&2
  { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null
fi
cargo build --release --quiet

work=$(mktemp -d)
export WATCHTOWER_PASSWORD="bench-$(date +%s)"
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD",
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON
RUST_LOG=warn target/release/watchtower serve --config "$work/config.json" > "$work/stdout" 2> "$work/stderr" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/stdout" && break; sleep 0.1; done
url=$(sed -n 's/^watchtower listening on //p' "$work/stdout")
[ -n "$url" ] || { echo "server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }

run() {
  # A third argument "404s" marks a scenario whose answers are meant to be errors.
  local name=$1 script=$2 expected=${3:-2xx} out
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "bench/$script" "$url")
  if grep -q "Non-2xx" <<<"$out" && [ "$expected" != "404s" ]; then
    echo "$out" >&2; echo "$name: some requests failed" >&2; exit 1
  fi
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99"
}

echo "watchtower $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, ${connections} connections, ${duration}s each"
run "ceiling (auth + JSON 404)" ceiling.lua 404s
run "durable pulses (POST /)" pulse.lua
run "durable events (POST /add-event)" event.lua
rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
echo "server peak RSS: $((rss / 1024)) MiB; database: $(du -sh "$work/data" | cut -f1)"
