#!/usr/bin/env bash
# Rebuilds every app spec into the .ipa beside it: samples/*/*.yaml, samples/rules/*/*.yaml and
# signatures/testdata/fixtures/*.yaml. Extra arguments go to the builder, e.g. -check to verify
# that the committed .ipa files are reproduced byte for byte, or -v to see every command.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shopt -s nullglob
specs=(samples/*/*.yaml samples/rules/*/*.yaml signatures/testdata/fixtures/*.yaml)
if [ ${#specs[@]} -eq 0 ]; then
	exit 0
fi
exec go run ./samples/build "$@" "${specs[@]}"
