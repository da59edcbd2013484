#!/usr/bin/env bash
# Synthea load figures (issues 5 and 6): the 80 Synthea transaction Bundles in
# ../shared/fhir/synthea/ (5,535 entries, 5,431 distinct resources: 79 patients with their
# Encounters, Claims, ExplanationOfBenefits, Immunizations, Conditions, ...) stored with one PUT per
# resource through the API, then a few searches on them with their counts, to show that the data is
# searchable.
#
# The Bundles are STU3 (Synthea v2.4), not R4 as ../shared/README.md says, and the server
# validates against R4: tools/synthea_r4 converts each resource with the table of mappings in
# tools/synthea_convert.h (Immunization.notGiven -> status, Condition.clinicalStatus code ->
# CodeableConcept, context -> encounter, Claim.organization -> provider, Money {system, code} ->
# {currency}, the elements R4 requires that STU3 did not, ...) and rewrites urn:uuid references to
# Type/id. The server takes no transactions yet, hence one PUT per resource (`synthea_r4 convert`
# writes the converted transaction Bundles for when it does). bench/search.sh loads the same data
# after its generated set.
#
# Environment: BENCH_CONNECTIONS (64), BENCH_SYNTHEA (the tarball), BENCH_LOG_LEVEL (info),
# BENCH_BUILD (build), BENCH_KEEP_DATA (0; 1 keeps the database and the extracted Bundles).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONNECTIONS=${BENCH_CONNECTIONS:-64}
TARBALL=${BENCH_SYNTHEA:-$ROOT/../shared/fhir/synthea/synthea-79-transaction-bundles.tar.gz}
. "$ROOT/bench/lib.sh"

[ -f "$TARBALL" ] || { echo "bench: no Synthea tarball at $TARBALL" >&2; exit 1; }
"$ROOT/scripts/setup"
"$ROOT/scripts/build" "$BENCH_BUILD" >/dev/null

bench_start_server
bench_machine
echo "server: $BENCH_URL, data in $BENCH_DATA, log level ${BENCH_LOG_LEVEL:-info}, synchronous=FULL"
bench_load "(before loading)"

# Extracted inside the server's data directory, so that the exit trap of lib.sh removes it too.
mkdir "$BENCH_DATA/synthea"
tar xzf "$TARBALL" -C "$BENCH_DATA/synthea"
"$BENCH_BIN/bench/synthea_r4" load "$BENCH_DATA/synthea" 127.0.0.1 "$BENCH_PORT" "$CONNECTIONS"

# The Bundle.total of a search (a path under /fhir/).
total() { curl -sf "$BENCH_URL/fhir/$1" | grep -o '"total":[0-9]*' | head -1 | cut -d: -f2; }

stored=0
for type in Patient Organization Practitioner Encounter Condition Observation Procedure \
  Immunization MedicationRequest Claim ExplanationOfBenefit; do
  n=$(total "$type?_summary=count")
  stored=$((stored + n))
  printf '%s %s, ' "$n" "$type"
done
echo "$stored resources in all"
echo

# The oldest patient, for the searches by patient.
patient=$(curl -sf "$BENCH_URL/fhir/Patient?_count=1&_sort=birthdate" |
  grep -o '"resourceType":"Patient","id":"[^"]*"' | head -1 | sed 's/.*"id":"//; s/"$//')
echo "searches (Bundle.total; Patient/$patient is the oldest patient):"
for query in \
  "Patient?_summary=count" \
  "Encounter?subject=Patient/$patient&_summary=count" \
  "Immunization?vaccine-code=http://hl7.org/fhir/sid/cvx%7C140&_summary=count" \
  "Condition?clinical-status=active&_summary=count" \
  "Condition?patient=Patient/$patient&_summary=count" \
  "Claim?patient=Patient/$patient&use=claim&_summary=count" \
  "ExplanationOfBenefit?patient.birthdate=lt1960&_summary=count"; do
  printf '  %6s  %s\n' "$(total "$query")" "$query"
done
bench_load "(after)"
