#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked, throwaway gnome-keyring,
# so tests (and the demo on a machine without a desktop keyring) never touch the user's own.
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-keyring.XXXXXX")
trap 'rm -rf "$keyring_home"' EXIT

# Cargo and rustup keep finding their homes while HOME points at the throwaway one.
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export TOKENKEEPER_REAL_HOME="$HOME"

mkdir -p "$keyring_home/run" && chmod 700 "$keyring_home/run"
HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/data" XDG_CONFIG_HOME="$keyring_home/config" \
  XDG_RUNTIME_DIR="$keyring_home/run" \
  dbus-run-session -- bash -c '
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
    printf "tokenkeeper-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
  ' with-keyring "$@"
