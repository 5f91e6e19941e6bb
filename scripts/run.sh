#!/usr/bin/env bash
# The one command that sets up and runs TokenKeeper: builds it and starts the built-in demo,
# five local API emulators with one account each, kept fresh live in the background (with the
# odd injected fault). Needs no real account. Ctrl-C stops it and removes everything it made.
# Secrets go to a throwaway keyring, never your own.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --quiet --bin tokenkeeper
exec scripts/with-keyring.sh target/debug/tokenkeeper demo "$@"
