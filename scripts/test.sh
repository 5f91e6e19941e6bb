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
scripts/with-keyring.sh cargo test --workspace --locked --no-fail-fast
