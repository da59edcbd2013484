# Shared by the benchmark scripts: start a server on a free port with a fresh data directory.
# Sets BENCH_DATA, BENCH_PORT, BENCH_URL, BENCH_PID. Stops the server on exit.
bench_start_server() {
  BENCH_DATA=$(mktemp -d /tmp/schakel-bench.XXXXXX)
  "$ROOT/build/schakel" serve --listen 127.0.0.1:0 --data "$BENCH_DATA" \
    --log-level "${BENCH_LOG_LEVEL:-info}" "$@" >"$BENCH_DATA/stdout" 2>"$BENCH_DATA/server.log" &
  BENCH_PID=$!
  trap 'kill -TERM $BENCH_PID 2>/dev/null; wait $BENCH_PID 2>/dev/null; rm -rf "$BENCH_DATA"' EXIT
  for _ in $(seq 1 200); do
    if grep -q "listening on" "$BENCH_DATA/stdout" 2>/dev/null; then break; fi
    sleep 0.05
  done
  BENCH_URL=$(sed -n 's/^listening on //p' "$BENCH_DATA/stdout")
  [ -n "$BENCH_URL" ] || { cat "$BENCH_DATA/server.log"; echo "bench: server did not start" >&2; exit 1; }
  BENCH_PORT=${BENCH_URL##*:}
}

# Prints "<requests/s> <p99 ms>" from wrk --latency output on stdin.
bench_parse_wrk() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
               else if (v ~ /ms$/) { sub(/ms$/, "", v) }
               else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
               p99 = v }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    END { printf "%s %s %s\n", rps, p99, (bad == "" ? 0 : bad) }'
}

bench_machine() {
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
}
