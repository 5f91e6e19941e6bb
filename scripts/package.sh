#!/usr/bin/env bash
# Builds the installable packages, a .deb and an .rpm, each with the desktop app, the
# `tokenkeeper` CLI, the background (`tokenkeeper-background`, which `tokenkeeper daemon`
# runs), its shell completions (bash, zsh, fish) and man page (generated from the
# clap definitions by the CLI's build script), and a systemd user unit for `tokenkeeper daemon`
# (disabled). Release build by default; --debug for a quick one (what CI installs). Prints the
# two packages' absolute paths as its last two lines.
# Usage: scripts/package.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
cargo_flags=(--release)
bundle_flags=()
case "${1:-}" in
  --debug) profile=debug; cargo_flags=(); bundle_flags+=(--debug) ;;
  "") ;;
  *) echo "usage: scripts/package.sh [--debug]" >&2; exit 2 ;;
esac

scripts/setup.sh >&2
(cd ui && npm run --silent build >/dev/null) >&2
# The binaries first (no devUrl: the app embeds ui/dist); `tauri bundle` packages what is built
# instead of building again with other features. A debug package takes the test command's build
# (every target, one feature set), so CI compiles nothing twice.
if [ "$profile" = debug ]; then
  cargo build --locked --workspace --all-targets >&2
else
  cargo build --locked "${cargo_flags[@]}" -p tokenkeeper-app -p tokenkeeper-cli -p tokenkeeper-background >&2
fi
for f in tokenkeeper tokenkeeper-background share/tokenkeeper.bash share/_tokenkeeper share/tokenkeeper.fish share/man1/tokenkeeper.1 share/man1/tokenkeeper-token.1; do
  [ -f "target/$profile/$f" ] || { echo "package: target/$profile/$f is missing" >&2; exit 1; }
done

overlay=$(mktemp "${TMPDIR:-/tmp}/tokenkeeper-bundle.XXXXXX.json")
trap 'rm -f "$overlay"' EXIT
# The packaged files come from this build's profile.
sed "s#\.\./target/release/#../target/$profile/#" src-tauri/tauri.conf.json >"$overlay"

rm -rf "target/$profile/bundle"
ui/node_modules/.bin/tauri bundle --bundles deb,rpm "${bundle_flags[@]}" --config "$overlay" >&2
deb=$(ls "$PWD/target/$profile/bundle/deb/"*.deb)
rpm=$(ls "$PWD/target/$profile/bundle/rpm/"*.rpm)
# Tauri's .deb is gzip-compressed; xz at level 9 halves it (10.4 MB to 5.4 MB for a
# release build). Same files, same control data: rebuilt with dpkg-deb. Release packages only
# (a debug one is for the install check, and xz over 70 MB of debug binaries takes a minute).
if [ "$profile" = release ]; then
  repack=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-deb.XXXXXX")
  dpkg-deb -R "$deb" "$repack/root"
  dpkg-deb -Zxz -z9 --root-owner-group -b "$repack/root" "$repack/out.deb" >/dev/null
  mv "$repack/out.deb" "$deb"
  rm -rf "$repack"
fi
echo "$deb"
echo "$rpm"
