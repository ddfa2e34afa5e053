# Sourced by the build scripts: flags for building arm64 iOS Mach-O files on Linux with clang and
# ld64.lld against the stub SDK in this directory (text .tbd stubs of our own; no Apple SDK).
TOOLCHAIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLANG=${CLANG:-clang}
IOS_TARGET=${IOS_TARGET:-arm64-apple-ios14.0}
# -fno-stack-protector: the stub libSystem has no ___stack_chk_guard.
IOS_CFLAGS="-target $IOS_TARGET -isysroot $TOOLCHAIN_DIR/sdk -nostdinc -fobjc-runtime=ios-14.0 -fno-stack-protector -fno-exceptions -Os"
IOS_LDFLAGS="-fuse-ld=lld -nostdlib -lobjc -lSystem"
