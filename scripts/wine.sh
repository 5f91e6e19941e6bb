#!/usr/bin/env bash
# The Windows suite under Wine: builds the CLI and the background for Windows
# (x86_64-pc-windows-gnu, mingw-w64), a probe the tests run as a command (what a program gets
# from `exec --token-file` and a hook, seen from inside Windows), a Wine prefix of its own
# (target/wine/prefix, Credential Manager included: scripts/wine-prefix.sh), then runs the unit
# tests of the core, the app's core and the CLI built for Windows (Wine as cargo's runner), and
# crates/tokenkeeper-cli/tests/wine: a Linux test binary that drives tokenkeeper.exe under
# wine64 against the loopback emulators.
#   scripts/wine.sh [ARGS]    ARGS go to the test binary (a filter, --test-threads=N)
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
out=$PWD/target/wine
mkdir -p "$out"
# shellcheck source=scripts/wine-prefix.sh
. scripts/wine-prefix.sh

cargo build --locked --target "$target" -p tokenkeeper-cli -p tokenkeeper-background >&2
x86_64-w64-mingw32-gcc -O2 -Wall -o "$out/probe.exe" crates/tokenkeeper-cli/tests/wine/probe/probe.c -ladvapi32
wine_prefix "$out/prefix"

export TOKENKEEPER_WINE=$wine
export TOKENKEEPER_WINE_EXE=$PWD/target/$target/debug/tokenkeeper.exe
export TOKENKEEPER_WINE_PROBE=$out/probe.exe
status=0
# The unit tests, built for Windows and run there.
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine cargo test --locked --target "$target" \
  -p tokenkeeper-core -p tokenkeeper-app-core -p tokenkeeper-cli --lib --bins -- "$@" || status=$?
# --workspace: the feature set of the test command's build, so nothing is rebuilt.
cargo test --workspace --locked --test wine -- --ignored --skip tray_ "$@" || status=$?
# The prefix's wineserver goes with the suite.
/usr/lib/wine/wineserver -k 2>/dev/null || true
# The tray needs a display (Wine's notification area is an X window): its tests run apart,
# under Xvfb, with a wineserver of their own.
# One at a time: they share the display's one notification area.
xvfb-run -a -s "-screen 0 1024x768x24" cargo test --workspace --locked --test wine -- \
  --ignored tray_ --test-threads 1 "$@" || status=$?
/usr/lib/wine/wineserver -k 2>/dev/null || true
exit "$status"
