#!/usr/bin/env bash
# Syslog in: N messages (default 1,000,000; RFC 5424 with structured data, as
# rsyslog forwards them) over TCP, octet-counted, on 4 connections at once, timed
# from the first byte sent to the last event stored (the server's own count on
# /metrics): durable events/s, beside the HTTP ceiling and the JSON bulk ingest
# (/add-events, 10,000 a request) of the same run. Then the same over UDP, where
# what the queue cannot take is dropped and counted.
#
# Usage: bench/syslog.sh [N] [sqlite|postgres]
#   WATCHTOWER_BENCH_BIN=PATH measures that binary instead of this checkout's release build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

usage() { echo "usage: bench/syslog.sh [N] [sqlite|postgres]" >&2; exit 2; }
total="${1:-1000000}"
mode="${2:-sqlite}"
[[ $total =~ ^[1-9][0-9]*$ ]] || usage
case "$mode" in sqlite | postgres) ;; *) usage ;; esac
ensure_wrk
bench_binary
bench_scratch
bench_storage "$mode"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WATCHTOWER_PASSWORD="bench-$(date +%s)"
export WATCHTOWER_PASSWORD
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$WATCHTOWER_PASSWORD", $storage
 "limits": {"maxBulkBytes": 16777216},
 "syslog": {"tcp": {"listen": "127.0.0.1:$port"}, "udp": {"listen": "127.0.0.1:$port"}}}
JSON
start_watchtower

echo "bench/syslog.sh: $(revision), $mode, $(nproc) cores; $total messages"
wrk -t2 -c64 -d5s --latency -s bench/ceiling.lua "$url" > "$work/wrk" 2>&1
# shellcheck disable=SC2046
line "ceiling (auth + JSON 404), 64 conn" $(wrk_figures "$work/wrk")
read -r count seconds _ < <(python3 bench/syslog_load.py "$url" "$WATCHTOWER_PASSWORD" "$port" "$total" 4)
awk -v n="$count" -v s="$seconds" \
  'BEGIN { printf "syslog over TCP, 4 connections       %.0f events/s   (%d stored in %.1f s)\n", n / s, n, s }'
read -r count seconds sent < <(python3 bench/syslog_load.py "$url" "$WATCHTOWER_PASSWORD" "$port" "$((total / 4))" 4 udp)
awk -v n="$count" -v s="$seconds" -v m="$sent" \
  'BEGIN { printf "syslog over UDP, 4 senders           %.0f events/s   (%d of %d stored, %.1f%% dropped)\n", n / s, n, m, 100 * (m - n) / m }'
python3 bench/events_data.py generate "$work/bodies" 4
read -r loaded load_seconds < <(python3 bench/events_data.py load "$url" "$WATCHTOWER_PASSWORD" "$work/bodies" 1000000)
awk -v n="$loaded" -v s="$load_seconds" \
  'BEGIN { printf "JSON bulk (/add-events, 10,000 a request, 4 at once)  %.0f events/s\n", n / s }'
echo "server peak RSS: $(awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$server/status")"
