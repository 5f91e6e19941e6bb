#!/usr/bin/env bash
# Type-checks and lints the macOS build from Linux (x86_64 and aarch64 Apple targets): ring's C
# needs a C compiler for the target (Debian's clang) and two headers of Apple's SDK, stood in for
# by scripts/darwin-stub (TargetConditionals.h says "macOS"; stdlib.h declares what clang's own
# mm_malloc.h takes). Nothing is linked: that needs a Mac (README: Install, macOS).
#   scripts/macos-check.sh [--intel] [CARGO ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."

stub=$PWD/scripts/darwin-stub
export MACOSX_DEPLOYMENT_TARGET=11.0
for target in x86_64-apple-darwin aarch64-apple-darwin; do
  var=${target//-/_}
  export "CC_$var=clang" "AR_$var=llvm-ar" \
    "CFLAGS_$var=-nostdlibinc -DRING_CORE_NOSTDLIBINC=1 -isystem $stub"
done
# Everything a Mac runs: the libraries, the CLI, the background and the window (Tauri,
# WKWebView), for Apple silicon; with --intel the same for Intel Macs too (no code of ours
# differs by architecture, and each target costs the test command a minute or more).
targets=(--target aarch64-apple-darwin)
if [ "${1:-}" = --intel ]; then
  shift
  targets+=(--target x86_64-apple-darwin)
fi
cargo clippy --locked "${targets[@]}" \
  -p tokenkeeper-cli -p tokenkeeper-core -p tokenkeeper-app-core \
  -p tokenkeeper-background -p tokenkeeper-clipboard -p tokenkeeper-app "$@" -- -D warnings
