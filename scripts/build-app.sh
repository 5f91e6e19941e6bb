#!/usr/bin/env bash
# Builds the desktop app with its UI embedded (what WebDriver and a user need: no dev server),
# debug by default or --release, and prints the binary's absolute path as its last line.
# Usage: scripts/build-app.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
case "${1:-}" in
  --release) profile=release; cargo_flags+=(--release) ;;
  "") ;;
  *) echo "usage: scripts/build-app.sh [--release]" >&2; exit 2 ;;
esac

scripts/setup.sh >&2
(cd ui && npm run --silent build >/dev/null) >&2
# tauri.conf.json has no devUrl, so a plain cargo build embeds ui/dist. The background (and
# the CLI) go beside the app, where it looks for them.
cargo build --locked -p tokenkeeper-app -p tokenkeeper-background -p tokenkeeper-cli "${cargo_flags[@]}" >&2
echo "$(pwd)/target/$profile/tokenkeeper-app"
