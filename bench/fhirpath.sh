#!/usr/bin/env bash
# FHIRPath evaluations per second for typical R4 search-parameter expressions (target for the
# FHIRPath issue: >= 1,000,000/s on the development machine). Environment: BENCH_SECONDS (2).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup"
"$ROOT/scripts/build" build >/dev/null
"$ROOT/build/bench/fhirpath/fhirpath_bench" "$ROOT/resources" "${BENCH_SECONDS:-2}"
