#!/usr/bin/env bash
# Builds the Windows installer (x86_64-pc-windows-gnu, cross from Linux with mingw-w64): the
# window (tokenkeeper-app.exe with WebView2Loader.dll), the background and the CLI, packed by
# Debian's makensis from packaging/windows/tokenkeeper.nsi (a per-user install, the CLI on
# PATH, the background at login as a choice, an uninstaller that keeps the accounts unless
# asked). Release build by default; --debug takes the test command's debug build and stores it
# uncompressed (3 s; the installer is then 200 MB). Prints the installer's absolute path as its
# last line.
# Usage: scripts/package-windows.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
profile=release
cargo_flags=(--release)
nsis_flags=()
case "${1:-}" in
  --debug) profile=debug; cargo_flags=(); nsis_flags+=(-DFAST) ;;
  "") ;;
  *) echo "usage: scripts/package-windows.sh [--debug]" >&2; exit 2 ;;
esac

# The window embeds ui/dist.
[ -f ui/dist/index.html ] || (cd ui && npm run --silent build >/dev/null) >&2
cargo build --locked "${cargo_flags[@]}" --target "$target" \
  -p tokenkeeper-app -p tokenkeeper-cli -p tokenkeeper-background >&2
bin=$PWD/target/$target/$profile
for f in tokenkeeper.exe tokenkeeper-background.exe tokenkeeper-app.exe WebView2Loader.dll; do
  [ -f "$bin/$f" ] || { echo "package-windows: $bin/$f is missing" >&2; exit 1; }
done
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
out=$bin/bundle/nsis
mkdir -p "$out"
setup=$out/TokenKeeper_${version}_x64-setup.exe
makensis -V2 -DVERSION="$version" -DBINDIR="$bin" -DREPO="$PWD" -DOUTFILE="$setup" \
  "${nsis_flags[@]}" packaging/windows/tokenkeeper.nsi >&2
echo "$setup"
