#!/usr/bin/env bash
# Validation throughput (issue: validation against the R4 base definitions), in resources/s:
#   (a) typical clinical resources (the R4 examples of Patient, Observation, Condition,
#       MedicationStatement, MedicationRequest, Encounter, Procedure, AllergyIntolerance,
#       Immunization), on one thread and on one thread per core;
#   (b) all R4 examples;
#   (c) a generated 1,000-entry transaction Bundle of Patients and Observations, as one Bundle.
# Target: >= 20,000 resources/s for (a) on the 2-core bench machine.
# JSON is parsed outside the timed loops. Environment: BENCH_SECONDS (2) per figure,
# BENCH_EXAMPLES (../shared/fhir/r4-examples), BENCH_BUILD (build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
EXAMPLES=${BENCH_EXAMPLES:-$ROOT/../shared/fhir/r4-examples}
SECONDS_PER_FIGURE=${BENCH_SECONDS:-2}

"$ROOT/scripts/setup"
BUILD=${BENCH_BUILD:-build}  # the build tree, as in lib.sh
"$ROOT/scripts/build" "$BUILD" >/dev/null
"$BUILD"/bench/validation/validation_bench "$ROOT/resources" "$EXAMPLES" "$SECONDS_PER_FIGURE"
