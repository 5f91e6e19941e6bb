#!/usr/bin/env bash
# The one command that sets up and runs TokenKeeper: installs what it needs, builds the desktop
# app and opens it in demo mode: five local API emulators with one account each, short token
# lifetimes and a fault now and then, kept fresh live in the background. Needs no real account.
# Quit (tray menu, or Ctrl-C here) removes every demo account and the demo directory. Secrets go
# to a throwaway keyring, never your own. Without a display, or with --terminal, it runs the
# same demo in the terminal (`tokenkeeper demo`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--terminal" ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  [ "${1:-}" = "--terminal" ] && shift
  scripts/setup.sh
  cargo build --quiet --locked --bin tokenkeeper
  exec scripts/with-keyring.sh target/debug/tokenkeeper demo "$@"
fi

app=$(scripts/build-app.sh | tail -n 1)
cargo build --quiet --locked --bin tokenkeeper
echo "TokenKeeper demo: close the window to keep it in the tray; Quit (tray) or Ctrl-C here stops it." >&2
exec scripts/with-keyring.sh "$app" --demo "$@"
