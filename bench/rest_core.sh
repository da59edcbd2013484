#!/usr/bin/env bash
# The REST core's figures (issue: build, storage and the FHIR REST core):
#   - read-by-id requests/s and p99 over 100,000 stored Patients (~1.5 KB each), 64 connections;
#   - create requests/s (and p99) with 64 concurrent clients, synchronous=FULL.
# Uses wrk (Debian package) on the same machine as the server, so both share the cores.
# Environment: BENCH_PATIENTS (100000), BENCH_DURATION (15s), BENCH_CONNECTIONS (64),
# BENCH_LOG_LEVEL (info: the access log is on, as in production), BENCH_BUILD (build: the build
# tree, relative to the repository).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_LUA_DIR="$ROOT/bench/lua"
export BENCH_PATIENTS=${BENCH_PATIENTS:-100000}
export BENCH_THREADS=2
DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
. "$ROOT/bench/lib.sh"

"$ROOT/scripts/setup"
"$ROOT/scripts/build" "$BENCH_BUILD" >/dev/null

bench_start_server
bench_machine
echo "server: $BENCH_URL, data in $BENCH_DATA, log level ${BENCH_LOG_LEVEL:-info}"

"$BENCH_BIN/bench/put_patients" 127.0.0.1 "$BENCH_PORT" "$BENCH_PATIENTS" "$CONNECTIONS"
status=$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/fhir/Patient/p$BENCH_PATIENTS")
[ "$status" = 200 ] || { echo "bench: Patient/p$BENCH_PATIENTS not stored (HTTP $status)" >&2; exit 1; }
size=$(curl -s "$BENCH_URL/fhir/Patient/p1" | wc -c)
echo "each Patient is $size bytes as read back"

read -r rps _ p99 bad _ < <(wrk -t"$BENCH_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
  -s "$BENCH_LUA_DIR/read_by_id.lua" "$BENCH_URL" | bench_parse_wrk)
echo "read-by-id: $rps requests/s, p99 $p99 ms ($CONNECTIONS connections, $BENCH_PATIENTS Patients, non-2xx: $bad)"

read -r rps _ p99 bad _ < <(wrk -t"$BENCH_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
  -s "$BENCH_LUA_DIR/create.lua" "$BENCH_URL" | bench_parse_wrk)
echo "create: $rps requests/s, p99 $p99 ms ($CONNECTIONS concurrent clients, synchronous=FULL, non-2xx: $bad)"
