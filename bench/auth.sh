#!/usr/bin/env bash
# What authentication costs, measured A/B on one server so that the store's growth
# and the machine's drift fall on both sides alike:
#   - durable pulses with the password, then with an `ingest` API key, alternated;
#   - durable pulses alone, then beside a guesser (a second wrk, same address, a
#     new wrong password each request: bench/guess.lua), alternated.
# Usage: bench/auth.sh [SECONDS] [ROUNDS]   (default 5 s, 3 rounds; SQLite)
# Prints each run and the ratios of the sums; figures are for reading, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

seconds="${1:-5}"
rounds="${2:-3}"
[[ $seconds =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/auth.sh [SECONDS] [ROUNDS]" >&2; exit 2; }
ensure_wrk
cargo build --release --quiet

work=$(mktemp -d)
server=""
cleanup() { [ -z "$server" ] || stop_processes "$server"; rm -rf "$work"; }
trap cleanup EXIT

password="bench-$(date +%s)-password"
cat > "$work/config.json" <<JSON
{"listen": "127.0.0.1:0", "dataDir": "$work/data", "password": "$password",
 "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}
JSON
RUST_LOG=error target/release/watchtower serve --config "$work/config.json" > "$work/stdout" 2> "$work/stderr" &
server=$!
url=$(server_url "$server" "$work/stdout")
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
key=$(curl -fsS -X POST "$url/keys" -H "password: $password" -H 'Content-Type: application/json' \
  -d '{"name": "bench", "scope": "ingest"}' | sed -E 's/.*"secret":"([^"]+)".*/\1/')

# Pulses for $seconds with credential $1; prints req/s.
pulses() {
  WATCHTOWER_PASSWORD=$1 wrk -t2 -c64 -d"${seconds}s" --latency -s bench/pulse.lua "$url" > "$work/wrk"
  wrk_figures "$work/wrk" | cut -d' ' -f1
}

echo "watchtower $(revision), 2 cores, 64 connections, ${seconds}s a run, $rounds rounds; SQLite"
total_password=0 total_key=0 total_alone=0 total_beside=0
for round in $(seq "$rounds"); do
  a=$(pulses "$password"); b=$(pulses "$key")
  printf 'round %d: password %10s req/s   API key %10s req/s\n' "$round" "$a" "$b"
  total_password=$(echo "$total_password + $a" | bc); total_key=$(echo "$total_key + $b" | bc)
done
for round in $(seq "$rounds"); do
  a=$(pulses "$password")
  WATCHTOWER_PASSWORD=$password wrk -t1 -c64 -d"${seconds}s" -s bench/guess.lua "$url" > "$work/guess" &
  guesser=$!
  b=$(pulses "$password")
  wait "$guesser" || true
  printf 'round %d: alone    %10s req/s   beside a guesser %10s req/s (the guesser: %s answers/s)\n' \
    "$round" "$a" "$b" "$(awk '/Requests\/sec/ {print $2}' "$work/guess")"
  total_alone=$(echo "$total_alone + $a" | bc); total_beside=$(echo "$total_beside + $b" | bc)
done
printf 'API key / password: %.2f×   beside a guesser / alone: %.2f×\n' \
  "$(echo "$total_key / $total_password" | bc -l)" "$(echo "$total_beside / $total_alone" | bc -l)"
