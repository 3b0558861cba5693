#!/usr/bin/env bash
# OpenTelemetry logs in: POST /v1/logs with batches of 1,000 records (protobuf, as
# the SDKs' OTLP/HTTP exporter sends them), durable like /add-events, beside the
# HTTP ceiling and the JSON bulk ingest (/add-events, 10,000 a request) of the same
# run. Prints records/s for each.
#
# Usage: bench/otlp.sh [SECONDS] [sqlite|postgres]
#   WATCHTOWER_BENCH_BIN=PATH measures that binary instead of this checkout's
#   release build. Needs python3 with opentelemetry-proto (scripts/test installs it
#   with the OTLP exporter) and wrk (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

usage() { echo "usage: bench/otlp.sh [SECONDS] [sqlite|postgres]" >&2; exit 2; }
seconds="${1:-10}"
mode="${2:-sqlite}"
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
case "$mode" in sqlite | postgres) ;; *) usage ;; esac
ensure_wrk
bench_binary
bench_scratch

bench_storage "$mode"
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD", $storage
 "limits": {"maxBulkBytes": 16777216}}
JSON
start_watchtower
python3 bench/otlp_body.py "$work/otlp.pb" 1000
export BENCH_BODY="$work/otlp.pb"

echo "bench/otlp.sh: $(revision), $mode, $(nproc) cores; an OTLP request is $(stat -c %s "$work/otlp.pb") bytes, 1,000 records"
run() {
  local name=$1 script=$2 conns=$3 per=$4 expected=${5:-2xx} rps p50 p99
  wrk -t1 -c"$conns" -d"${seconds}s" --latency -s "bench/$script" "$url" > "$work/wrk" 2>&1
  if grep -q "Non-2xx" "$work/wrk" && [ "$expected" != "404s" ]; then
    cat "$work/wrk" >&2; echo "$name: some requests failed" >&2; exit 1
  fi
  read -r rps p50 p99 < <(wrk_figures "$work/wrk")
  line "$name" "$rps" "$p50" "$p99"
  awk -v r="$rps" -v n="$per" 'BEGIN { if (n > 1) printf "  %.0f records/s\n", r * n }'
}
run "ceiling (auth + JSON 404), 64 conn" ceiling.lua 64 1 404s
run "OTLP logs, 1,000 a request, 4 conn" otlp.lua 4 1000
run "OTLP logs, 1,000 a request, 16 conn" otlp.lua 16 1000
python3 bench/events_data.py generate "$work/bodies" 4
read -r loaded load_seconds < <(python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" 1000000)
awk -v n="$loaded" -v s="$load_seconds" \
  'BEGIN { printf "JSON bulk (/add-events, 10,000 a request, 4 at once)  %.0f events/s\n", n / s }'
echo "server peak RSS: $(awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$server/status")"
