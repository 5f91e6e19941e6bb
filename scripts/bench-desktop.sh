#!/usr/bin/env bash
# The desktop app against a bare Tauri 2 window (bench/bare-tauri: same Tauri, release
# profile and packaging), in one run: .deb and installed sizes, cold start to first paint,
# idle memory (PSS of the whole process tree) and idle CPU with the window open and closed,
# with the five accounts of the demo (one per API; 1 h tokens, so idle means idle). Called by
# scripts/bench.sh; $1 is the folder of the release binaries. Runs itself under Xvfb in a
# private D-Bus session with a throwaway keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cd "$1" && pwd)

if [ -z "${TOKENKEEPER_BENCH_INSIDE:-}" ]; then
  # Packages first (release), outside the throwaway session.
  mapfile -t ours < <(scripts/package.sh | tail -n 2)
  (cd bench/bare-tauri && ../../ui/node_modules/.bin/tauri bundle --bundles deb >&2)
  bare_deb=$(ls "$PWD"/target/release/bundle/deb/bare-tauri_*.deb)
  # Compressed as ours is (scripts/package.sh: xz -9), so the sizes compare.
  repack=$(mktemp -d)
  dpkg-deb -R "$bare_deb" "$repack/root" && dpkg-deb -Zxz -z9 --root-owner-group -b "$repack/root" "$bare_deb" >/dev/null
  rm -rf "$repack"
  for deb in "${ours[0]}" "$bare_deb"; do
    awk -v name="$(dpkg-deb -f "$deb" Package)" -v size="$(stat -c %s "$deb")" \
      -v installed="$(dpkg-deb -f "$deb" Installed-Size)" \
      'BEGIN { printf "%s: .deb %.2f MB, installed %.1f MB\n", name, size / 1e6, installed * 1024 / 1e6 }' 
  done
  export TOKENKEEPER_BENCH_INSIDE=1 NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  exec scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x900x24 -noreset" "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-bench-desktop.XXXXXX")
"$bin/tokenkeeper-emulators" --ca-dir "$work" --token-ttl 3600 >"$work/urls" 2>"$work/tokens" &
emulators=$!
trap 'kill $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/tokens" ] && [ "$(wc -l <"$work/urls")" -ge 5 ] && break; sleep 0.05; done
config="$work/config"
while read -r api url ca; do
  args=(add "demo-$api" --provider "$api" --url "$url")
  [ -n "${ca:-}" ] && args+=(--ca-cert "$ca")
  if [ "$api" = generic-jwt ]; then
    sed -n 's/^generic-jwt refresh token for [^:]*: //p' "$work/tokens" | head -n1 |
      "$bin/tokenkeeper" --config-dir "$config" "${args[@]}" --refresh-token-stdin >/dev/null
  else
    printf 's3cret\n' | "$bin/tokenkeeper" --config-dir "$config" "${args[@]}" \
      --username admin@example.com --password-stdin >/dev/null
  fi
done <"$work/urls"
/usr/bin/python3 bench/desktop.py "$bin/tokenkeeper-app" "$bin/bare-tauri" "$bin/tokenkeeper" "$config" \
  --runs "${DESKTOP_RUNS:-5}" --idle "${DESKTOP_IDLE:-60}"
