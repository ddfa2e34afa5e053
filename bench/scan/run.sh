#!/usr/bin/env bash
# Scan benchmark (issue 2, "Speed and memory"). Builds a large synthetic IPA from our own
# sources in a temporary directory (never committed): a main executable of 140 MB+ with an
# incompressible data section and 3,000 ObjC classes, 40 frameworks with 50 classes each (5,000
# classes in all), 1,200 stored images and 4,000 deflated JSON documents: about 320 MB. Then, in one run, times `sdkflow scan -o json`
# against `unzip -p X.ipa > /dev/null` on that file and prints the ratio and the scan's peak
# memory. Goal: ratio <= 0.3, peak RSS < 300 MB.
#
#   bench/scan/run.sh [gen flags, e.g. -main-mb 200]
#   RUNS=5 bench/scan/run.sh          # runs of each command (medians are reported; default 3)
#   BENCH_DIR=/tmp/big KEEP=1 bench/scan/run.sh   # build there and keep the files
#
# Needs clang, ld64.lld, llvm-ar, llvm-lipo (as samples/build does) and unzip.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
work=${BENCH_DIR:-}
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/sdkflow-bench-scan.XXXXXX")
fi
mkdir -p "$work"
if [ -z "${KEEP:-}" ]; then
	trap 'rm -rf "$work"' EXIT
fi

echo "== generating inputs in $work"
go run ./bench/scan/gen -dir "$work/src" "$@"
echo "== building big.ipa"
start=$(date +%s)
go run ./samples/build -o "$work" "$work/src/big.yaml" >/dev/null
echo "built in $(( $(date +%s) - start ))s"
rm -rf "$work/src"
ipa="$work/big.ipa"
unzip -Zt "$ipa"
unzip -l "$ipa" | awk '$4 ~ /^Payload\/BigApp\.app\/BigApp$/ { printf "main executable: %d MB\n", $1 / 1048576 }'
unzip -l "$ipa" | awk '$4 ~ /\.framework\/$/ { n++ } END { printf "frameworks: %d\n", n }'

if [ ! -d cmd/sdkflow ] || ! go build -o "$work/sdkflow" ./cmd/sdkflow 2>/dev/null; then
	echo "sdkflow scan is not buildable in this checkout; measuring unzip only"
	/usr/bin/env time -f "unzip -p: %es, peak RSS %M KB" unzip -p "$ipa" >/dev/null
	exit 0
fi
echo "== measuring (runs: ${RUNS:-3})"
go run ./bench/scan/measure -sdkflow "$work/sdkflow" -runs "${RUNS:-3}" "$ipa"
