#!/usr/bin/env bash
# Builds the Mach-O fixtures of analyzer/macho from src/ (our own Objective-C and assembly)
# with clang and ld64.lld against the stub SDK in samples/toolchain. The output is
# byte-for-byte reproducible; TestFixturesReproduce checks the committed files against it.
#
#   analyzer/macho/testdata/build.sh [OUTDIR]     (default: this directory)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$HERE}" && cd "${1:-$HERE}" && pwd)
source "$HERE/../../../samples/toolchain/env.sh"
CLANG19=${CLANG19:-clang-19}
LIPO=${LIPO:-llvm-lipo-14}
AR=${AR:-llvm-ar}
SRC=$HERE/src
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

SIM_CFLAGS=${IOS_CFLAGS/-target $IOS_TARGET/-target x86_64-apple-ios14.0-simulator}
ASFLAGS="-target $IOS_TARGET"
DYLIB_FLAGS="-dynamiclib -install_name @rpath/TrackKit.framework/TrackKit -current_version 4.2.0 -compatibility_version 1.0.0
  -framework Foundation -framework UIKit -weak_framework AdSupport -Wl,-rpath,@loader_path/Frameworks"

# arm64 objects (lld 14: classic dyld info).
$CLANG $IOS_CFLAGS -c "$SRC/TrackKit.m" -o "$TMP/TrackKit.o"
$CLANG $ASFLAGS -c "$SRC/SwiftTypes.s" -o "$TMP/SwiftTypes.o"
$CLANG $IOS_CFLAGS -c "$SRC/Main.m" -o "$TMP/Main.o"
# x86_64 simulator objects.
$CLANG $SIM_CFLAGS -c "$SRC/TrackKit.m" -o "$TMP/TrackKit-sim.o"

# Thin arm64 dylib, an executable linking it, and the simulator dylib for the fat file.
$CLANG $IOS_CFLAGS $IOS_LDFLAGS $DYLIB_FLAGS "$TMP/TrackKit.o" "$TMP/SwiftTypes.o" -o "$TMP/TrackKit.dylib"
$CLANG $IOS_CFLAGS $IOS_LDFLAGS -framework Foundation "$TMP/Main.o" "$TMP/TrackKit.dylib" \
  -Wl,-rpath,@executable_path/Frameworks -o "$TMP/TrackKitApp"
$CLANG $SIM_CFLAGS $IOS_LDFLAGS $DYLIB_FLAGS "$TMP/TrackKit-sim.o" -o "$TMP/TrackKit-sim.dylib"
$LIPO -create "$TMP/TrackKit.dylib" "$TMP/TrackKit-sim.dylib" -output "$TMP/TrackKit-fat.dylib"

# Chained fixups, export trie and an ad-hoc code signature (lld 19), as modern Xcode emits.
T17="-target arm64-apple-ios17.0 -isysroot $TOOLCHAIN_DIR/sdk -nostdinc -fobjc-runtime=ios-17.0 -fno-stack-protector -fno-exceptions -Os"
$CLANG19 $T17 -c "$SRC/TrackKit.m" -o "$TMP/TrackKit17.o"
$CLANG19 -target arm64-apple-ios17.0 -c "$SRC/SwiftTypes.s" -o "$TMP/SwiftTypes17.o"
$CLANG19 $T17 $IOS_LDFLAGS $DYLIB_FLAGS -Wl,-fixup_chains -Wl,-adhoc_codesign \
  "$TMP/TrackKit17.o" "$TMP/SwiftTypes17.o" -o "$TMP/TrackKit-chained.dylib"

# Encrypted as an App Store download is (cryptid 1, scrambled __TEXT).
(cd "$HERE" && go run ./encrypt "$TMP/TrackKit.dylib" "$TMP/TrackKit-encrypted.dylib")

# Static libraries: a plain archive (BSD layout, as Apple's tools write) and a fat one.
(cd "$TMP" && $AR --format=darwin rcsD libTrackKit.a TrackKit.o SwiftTypes.o)
(cd "$TMP" && $AR --format=darwin rcsD libTrackKit-sim.a TrackKit-sim.o)
$LIPO -create "$TMP/libTrackKit.a" "$TMP/libTrackKit-sim.a" -output "$TMP/libTrackKit-fat.a"
# GNU layout with a long member name (the "//" name table), as Linux tools write by default.
cp "$TMP/TrackKit.o" "$TMP/TrackKitWithALongMemberName.o"
(cd "$TMP" && $AR --format=gnu rcsD libTrackKit-gnu.a TrackKitWithALongMemberName.o)

for f in TrackKit.dylib TrackKitApp TrackKit-fat.dylib TrackKit-chained.dylib TrackKit-encrypted.dylib \
  libTrackKit.a libTrackKit-fat.a libTrackKit-gnu.a; do
  cp "$TMP/$f" "$OUT/$f"
done
