#!/usr/bin/env bash
# Report benchmark (issue 6, "Speed"). Generates two captures of the same request mix in a
# temporary directory (never committed), 10,000 and 100,000 requests (bench/report/gen: Facebook
# app events with the device array, GA4 protobuf batches, AppsFlyer, an unknown tracker, the
# app's own API, images, pinned-host TLS refusals; a consent refusal and an ATT denial), then
# times `sdkflow report --app samples/zoomlike/zoomlike.ipa --har X -o json=/dev/null` on both,
# runs interleaved, and prints wall and CPU time, peak memory and the large/small ratio.
# Goals: time grows at most linearly; the 100,000-request report takes under 10 s and peaks under
# 400 MB of memory. Figures: bench/report/README.md.
#
#   bench/report/run.sh
#   RUNS=5 bench/report/run.sh                     # runs of each report (medians; default 3)
#   SMALL=20000 LARGE=200000 bench/report/run.sh   # other sizes
#   BENCH_DIR=/tmp/rb KEEP=1 bench/report/run.sh   # generate there and keep the files
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
work=${BENCH_DIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/sdkflow-bench-report.XXXXXX")
fi
mkdir -p "$work"
if [ -z "${KEEP:-}" ]; then
	trap 'rm -rf "$work"' EXIT
fi
small=${SMALL:-10000}
large=${LARGE:-100000}

echo "== generating captures in $work"
go run ./bench/report/gen -flows "$small" -o "$work/small.har"
go run ./bench/report/gen -flows "$large" -o "$work/large.har"
ls -l "$work"/*.har | awk '{ printf "%s: %d MB\n", $NF, $5 / 1048576 }'
go build -o "$work/sdkflow" ./cmd/sdkflow
echo "== measuring (runs: ${RUNS:-3})"
go run ./bench/report/measure -sdkflow "$work/sdkflow" -app samples/zoomlike/zoomlike.ipa -runs "${RUNS:-3}" \
	"$work/small.har:$small" "$work/large.har:$large"
