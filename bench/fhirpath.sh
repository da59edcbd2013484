#!/usr/bin/env bash
# FHIRPath evaluations per second for typical R4 search-parameter expressions (target for the
# FHIRPath issue: >= 1,000,000/s on the development machine). Environment: BENCH_SECONDS (2),
# BENCH_BUILD (build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup"
BUILD=${BENCH_BUILD:-build}  # the build tree, as in lib.sh
"$ROOT/scripts/build" "$BUILD" >/dev/null
"$ROOT/$BUILD/bench/fhirpath/fhirpath_bench" "$ROOT/resources" "${BENCH_SECONDS:-2}"
