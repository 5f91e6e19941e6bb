#!/usr/bin/env bash
# The one command that sets up and runs every test: installs system packages, builds,
# lints, and runs the whole suite against the real keychain and loopback emulators.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== build" >&2
cargo build --workspace --all-targets --locked

echo "== lint" >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== test (private D-Bus session, throwaway gnome-keyring)" >&2
log=$(mktemp "${TMPDIR:-/tmp}/tokenkeeper-test.XXXXXX")
trap 'rm -f "$log"' EXIT
set +e
scripts/with-keyring.sh cargo test --workspace --all-targets --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite (cargo prints one per test binary).
awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
