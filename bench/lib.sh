# Shared by the benchmark scripts (sourced, not run).

# The PostgreSQL server the PostgreSQL modes use.
pg_server_url="${WATCHTOWER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

# A live process (zombies, i.e. exited children not yet waited for, do not count).
alive() {
  local state
  state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

ensure_wrk() {
  if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)..." >&2
    { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null
  fi
}

# The URL of database $2 on the server of URL $1: the same URL, path replaced.
database_url() {
  local re='^(postgres(ql)?://[^/?#]*)(/[^?#]*)?(\?[^#]*)?$'
  [[ $1 =~ $re ]] || { echo "not a postgres:// URL: \$WATCHTOWER_BENCH_POSTGRES_URL" >&2; return 1; }
  printf '%s/%s%s\n' "${BASH_REMATCH[1]}" "$2" "${BASH_REMATCH[4]}"
}

json_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

# "rps p50 p99" read off wrk's --latency output in file $1; fails when absent.
wrk_figures() {
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$1")
  p50=$(awk '$1 == "50%" {print $2}' "$1")
  p99=$(awk '$1 == "99%" {print $2}' "$1")
  [ -n "$rps" ] && [ -n "$p50" ] && [ -n "$p99" ] || { cat "$1" >&2; return 1; }
  echo "$rps $p50 $p99"
}

line() { printf '%-34s %10s req/s   p50 %8s   p99 %8s\n' "$@"; }

# The commit measured, marked dirty when the work tree has uncommitted changes.
revision() {
  local rev
  rev="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  [ -z "$(git --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ] || rev="$rev+dirty"
  echo "$rev"
}

# Stops processes "$@": SIGTERM, then SIGKILL after 10 s (servers commit what is
# queued and close their pools on SIGTERM).
stop_processes() {
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  return 0
}

# Creates a fresh benchmark database on the server of URL $1; prints its name.
create_database() {
  local name
  name="wt_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql "$1" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $name" >/dev/null
  echo "$name"
}

# Drops database $2 (if named) on the server of URL $1.
drop_database() {
  [ -n "$2" ] || return 0
  psql "$1" -qc "DROP DATABASE IF EXISTS $2 WITH (FORCE)" >/dev/null \
    || echo "could not drop the benchmark database $2" >&2
}

# The URL a server (pid $1) announces on its stdout (file $2), within 30 s; empty
# if it exits or stays silent.
server_url() {
  local url=""
  for _ in $(seq 300); do
    url=$(sed -n 's/^watchtower listening on //p' "$2")
    [ -z "$url" ] || break
    alive "$1" || break
    sleep 0.1
  done
  echo "$url"
}

# Sets $bin: $WATCHTOWER_BENCH_BIN (to compare two builds on the same machine),
# else this checkout's release build, built if need be.
bench_binary() {
  bin="${WATCHTOWER_BENCH_BIN:-}"
  if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/watchtower
  fi
}

# Sets $work (a scratch folder) and a cleanup that, however the script ends,
# stops $server (and any pids in $also_stop), drops $db if set, and removes $work.
bench_scratch() {
  work=$(mktemp -d)
  server=""
  also_stop=""
  db=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
bench_cleanup() {
  set +e
  # shellcheck disable=SC2086
  stop_processes $also_stop $server
  drop_database "$pg_server_url" "$db"
  rm -rf "$work"
}

# Sets $storage, the config's storage fragment for mode $1: none for sqlite; for
# postgres, a fresh database ($db, which bench_cleanup drops).
bench_storage() {
  storage=""
  if [ "$1" = postgres ]; then
    db=$(create_database "$pg_server_url")
    storage="\"storage\": {\"backend\": \"postgres\", \"url\": $(json_string "$(database_url "$pg_server_url" "$db")")},"
  fi
}

# Starts "$bin" on $work/config.json (stdout to $work/stdout, stderr appended to
# $work/stderr); sets $server and $url, or exits saying why it did not start.
start_watchtower() {
  RUST_LOG=warn "$bin" serve --config "$work/config.json" > "$work/stdout" 2>> "$work/stderr" &
  server=$!
  url=$(server_url "$server" "$work/stdout")
  [ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
}

# Durable pulses for $seconds at 64 connections (bench/pulse.lua): prints a line
# named $1 and keeps the rate in $work/rps-$2, to compare two such runs.
pulses() {
  local rps p50 p99
  wrk -t1 -c64 -d"${seconds:?the script sets it}s" --latency -s bench/pulse.lua "$url/" > "$work/wrk" 2>&1
  read -r rps p50 p99 < <(wrk_figures "$work/wrk")
  line "$1" "$rps" "$p50" "$p99"
  echo "$rps" > "$work/rps-$2"
}
