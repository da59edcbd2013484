#!/usr/bin/env bash
# Transaction figures (issue 6, "Speed"), durable (synchronous=FULL) and fully indexed:
#   - one generated transaction of BENCH_ENTRIES entries (default 10,000): 1 Patient per 10
#     entries, each with 9 Observations that refer to it through its urn:uuid fullUrl (so every
#     Observation's reference is rewritten), POSTed with curl; resources/s for the whole request;
#   - the 80 Synthea transaction Bundles in ../shared/fhir/synthea/, converted from STU3 to R4 by
#     tools/synthea_r4 (see bench/synthea.sh), POSTed one after the other; resources/s over all;
#   - the same Bundles and one generated transaction loaded offline by `schakel import`.
# Target: >= 10,000 resources/s for the generated transaction on the development machine.
#
# Environment: BENCH_ENTRIES (10000), BENCH_RUNS (3 generated transactions, each with new ids),
# BENCH_SYNTHEA (the tarball), BENCH_LOG_LEVEL (info), BENCH_BUILD (build), BENCH_KEEP_DATA (0).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENTRIES=${BENCH_ENTRIES:-10000}
RUNS=${BENCH_RUNS:-3}
TARBALL=${BENCH_SYNTHEA:-$ROOT/../shared/fhir/synthea/synthea-79-transaction-bundles.tar.gz}
. "$ROOT/bench/lib.sh"

"$ROOT/scripts/setup"
"$ROOT/scripts/build" "$BENCH_BUILD" >/dev/null

bench_start_server --max-bundle-entries "$ENTRIES"
bench_machine
echo "server: $BENCH_URL, data in $BENCH_DATA, log level ${BENCH_LOG_LEVEL:-info}, synchronous=FULL"
bench_load "(before)"

# A transaction of $1 entries whose ids start with run $2.
generate() {
  awk -v n="$1" -v run="$2" 'BEGIN {
    printf "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    for (i = 0; i < n; i++) {
      if (i > 0) printf ","
      p = int(i / 10)
      if (i % 10 == 0) {
        printf "{\"fullUrl\":\"urn:uuid:00000000-0000-4000-8000-%06d%06d\",", run, p
        printf "\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":"
        printf "\"http://fhir.nl/fhir/NamingSystem/bsn\",\"value\":\"%d\"}],", 800000000 + run * 100000 + p
        printf "\"name\":[{\"family\":\"Jansen%d\",\"given\":[\"Piet\"]}],\"gender\":\"%s\",", p, (p % 2 ? "male" : "female")
        printf "\"birthDate\":\"%d-%02d-%02d\"},", 1930 + p % 90, 1 + p % 12, 1 + p % 28
        printf "\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}"
      } else {
        printf "{\"fullUrl\":\"urn:uuid:00000000-0000-4000-9000-%06d%06d\",", run, i
        printf "\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\","
        printf "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},"
        printf "\"subject\":{\"reference\":\"urn:uuid:00000000-0000-4000-8000-%06d%06d\"},", run, p
        printf "\"effectiveDateTime\":\"2024-%02d-%02dT10:%02d:00Z\",", 1 + i % 12, 1 + i % 28, i % 60
        printf "\"valueQuantity\":{\"value\":%d,\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}},", 50 + i % 60
        printf "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}"
      }
    }
    printf "]}"
  }'
}

# POSTs file $1 as a transaction; prints "<http status> <seconds>".
post() {
  curl -s -o "$BENCH_DATA/response.json" -w '%{http_code} %{time_total}\n' \
    -H 'Content-Type: application/fhir+json' -H 'Prefer: return=minimal' \
    --data-binary "@$1" "$BENCH_URL/fhir"
}

echo "generated transactions of $ENTRIES entries ($((ENTRIES / 10)) Patients, the rest"\
  "Observations referring to them by urn:uuid):"
for run in $(seq 1 "$RUNS"); do
  generate "$ENTRIES" "$run" >"$BENCH_DATA/transaction.json"
  read -r status seconds < <(post "$BENCH_DATA/transaction.json")
  [ "$status" = 200 ] || { echo "transaction $run: HTTP $status"; head -c 600 "$BENCH_DATA/response.json"; echo; exit 1; }
  awk -v n="$ENTRIES" -v s="$seconds" -v r="$run" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
    'BEGIN { printf "  run %d: %d resources in %.2f s: %.0f resources/s (load %s)\n", r, n, s, n / s, l }'
done

if [ -f "$TARBALL" ]; then
  mkdir "$BENCH_DATA/synthea" "$BENCH_DATA/synthea-r4"
  tar xzf "$TARBALL" -C "$BENCH_DATA/synthea"
  "$BENCH_BIN/bench/synthea_r4" convert "$BENCH_DATA/synthea" "$BENCH_DATA/synthea-r4" >/dev/null
  total_entries=0
  bundles=0
  start=$(date +%s.%N)
  while IFS= read -r -d '' bundle; do
    read -r status _ < <(post "$bundle")
    [ "$status" = 200 ] || { echo "$bundle: HTTP $status"; head -c 600 "$BENCH_DATA/response.json"; echo; exit 1; }
    total_entries=$((total_entries + $(grep -o '"request"' "$bundle" | wc -l)))
    bundles=$((bundles + 1))
  done < <(find "$BENCH_DATA/synthea-r4" -name '*.json' -print0 | sort -z)
  end=$(date +%s.%N)
  awk -v n="$total_entries" -v a="$start" -v b="$end" -v c="$bundles" \
    'BEGIN { printf "Synthea: %d transaction Bundles, %d entries in %.2f s: %.0f resources/s (one Bundle at a time)\n", c, n, b - a, n / (b - a) }'
  # The same Bundles offline, into a new data directory, with the generated transaction too.
  generate "$ENTRIES" 99 >"$BENCH_DATA/synthea-r4/generated.json"
  echo "schakel import (offline, new data directory, the Synthea Bundles and one generated):"
  "$BENCH_BIN/schakel" import "$BENCH_DATA/synthea-r4" --data "$BENCH_DATA/imported" \
    --max-bundle-entries "$ENTRIES" --no-progress | sed 's/^/  /'
else
  echo "Synthea: no tarball at $TARBALL; skipped"
fi
bench_load "(after)"
