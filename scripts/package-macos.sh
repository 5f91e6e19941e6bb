#!/usr/bin/env bash
# Builds TokenKeeper.app and its .dmg ON A MAC (Xcode's command line tools, Rust, Node.js 20):
# the window (WKWebView), with the `tokenkeeper` CLI and the background beside it in
# Contents/MacOS (src-tauri/tauri.conf.json: bundle.macOS.files), so the window starts the
# background and Start at login (a LaunchAgent) finds it. Linking needs Apple's SDK, so this
# does not run on Linux; the test command type-checks and lints the same code for both Apple
# targets there (scripts/macos-check.sh). Prints the .app's and the .dmg's paths.
#   scripts/package-macos.sh [--universal]   (--universal: one bundle for Intel and Apple silicon)
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(uname -s)" = Darwin ] || { echo "package-macos: run this on a Mac (see README: Install, macOS)" >&2; exit 2; }
(cd ui && npm ci --silent && npm run --silent build)
if [ "${1:-}" = --universal ]; then
  rustup target add x86_64-apple-darwin aarch64-apple-darwin
  for t in x86_64-apple-darwin aarch64-apple-darwin; do
    cargo build --locked --release --target "$t" -p tokenkeeper-cli -p tokenkeeper-background
  done
  mkdir -p target/release
  for b in tokenkeeper tokenkeeper-background; do
    lipo -create -output "target/release/$b" \
      "target/x86_64-apple-darwin/release/$b" "target/aarch64-apple-darwin/release/$b"
  done
  ui/node_modules/.bin/tauri build --target universal-apple-darwin --bundles app,dmg
  out=target/universal-apple-darwin/release/bundle
else
  cargo build --locked --release -p tokenkeeper-cli -p tokenkeeper-background
  ui/node_modules/.bin/tauri build --bundles app,dmg
  out=target/release/bundle
fi
ls -d "$PWD/$out/macos/"*.app "$PWD/$out/dmg/"*.dmg
