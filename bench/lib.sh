# Shared by the benchmark scripts (they set ROOT, then source this file).

# The build tree the scripts build and run: BENCH_BUILD (default build, the tree ./scripts/run
# and ./scripts/test use), relative to ROOT.
BENCH_BUILD=${BENCH_BUILD:-build}
BENCH_BIN="$ROOT/$BENCH_BUILD"

# Start a server on a free port with a fresh data directory, without access control
# (--insecure-no-auth): these benchmarks measure the FHIR work; a token's verification costs one
# ES256 signature check per request on top (see docs/performance.md).
# Sets BENCH_DATA, BENCH_PORT, BENCH_URL, BENCH_PID. Stops the server on exit and removes the data
# directory, unless BENCH_KEEP_DATA=1 (to look at the database afterwards, e.g. with sqlite3).
bench_start_server() {
  BENCH_DATA=$(mktemp -d /tmp/schakel-bench.XXXXXX)
  "$BENCH_BIN/schakel" serve --listen 127.0.0.1:0 --data "$BENCH_DATA" \
    --log-level "${BENCH_LOG_LEVEL:-info}" --insecure-no-auth "$@" >"$BENCH_DATA/stdout" 2>"$BENCH_DATA/server.log" &
  BENCH_PID=$!
  trap 'kill -TERM $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null
        if [ "${BENCH_KEEP_DATA:-0}" = 1 ]; then echo "bench: data kept in $BENCH_DATA" >&2
        else rm -rf "$BENCH_DATA"; fi' EXIT
  for _ in $(seq 1 200); do
    if grep -q "listening on" "$BENCH_DATA/stdout" 2>/dev/null; then break; fi
    sleep 0.05
  done
  BENCH_URL=$(sed -n 's/^listening on //p' "$BENCH_DATA/stdout")
  [ -n "$BENCH_URL" ] || { cat "$BENCH_DATA/server.log"; echo "bench: server did not start" >&2; exit 1; }
  BENCH_PORT=${BENCH_URL##*:}
}

# Prints "<requests/s> <p50 ms> <p99 ms> <non-2xx responses> <socket errors>" from wrk --latency
# output on stdin.
bench_parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
                     if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
                     if (v ~ /m$/) { sub(/m$/, "", v); return v * 60000 }
                     if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
                     return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %s %s\n", rps, p50, p99, (bad == "" ? 0 : bad), (errors == "" ? 0 : errors) }'
}

bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
}

# "load average: 1m, 5m, 15m" now, for the record: other work on the machine moves the figures.
bench_load() {
  echo "load average (1, 5, 15 min): $(uptime | sed 's/.*load average: //') ${1:-}"
}
