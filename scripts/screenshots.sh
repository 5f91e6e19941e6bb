#!/usr/bin/env bash
# The README's screenshots (docs/screenshots/), the only thing that writes them: first the
# end-to-end tests that take pictures (the demo in light and dark, the add form, a real JWT Auth
# Pro site), run by scripts/e2e.sh with TOKENKEEPER_SCREENSHOT_DIR pointing here; then the real
# app in the states those do not show: sixty tagged accounts as rows, five accounts with a long name and a failed refresh
# (light and dark), an empty list, and a backend that cannot start. Runs under Xvfb in a private
# D-Bus session with a throwaway keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TOKENKEEPER_SHOTS_INSIDE:-}" ]; then
  TOKENKEEPER_SCREENSHOT_DIR=$PWD/docs/screenshots scripts/e2e.sh \
    the_demo_shows_five_accounts add_through_the_form a_real_jwt_auth_pro_site >&2
  scripts/setup.sh imagemagick >&2
  export TOKENKEEPER_SHOTS_INSIDE=1 NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  exec scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x900x24 -noreset" "$0" "$@"
fi
bin=$PWD/target/debug out=$PWD/docs/screenshots
work=$(mktemp -d)
"$bin/tokenkeeper-emulators" --ca-dir "$work" --token-ttl 3600 >"$work/urls" 2>"$work/tokens" &
emulators=$!
trap 'kill $emulators 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do [ "$(wc -l <"$work/urls")" -ge 5 ] && break; sleep 0.05; done
config=$work/config
while read -r api url ca; do
  name=demo-$api
  [ "$api" = smartling ] && name=customer-production-eu-west-analytics-pipeline-service-account
  args=(--config-dir "$config" add "$name" --provider "$api" --url "$url")
  [ -n "${ca:-}" ] && args+=(--ca-cert "$ca")
  if [ "$api" = generic-jwt ]; then
    sed -n 's/^generic-jwt refresh token for [^:]*: //p' "$work/tokens" | head -n1 |
      "$bin/tokenkeeper" "${args[@]}" --refresh-token-stdin >/dev/null
  else
    printf 's3cret\n' | "$bin/tokenkeeper" "${args[@]}" --username admin@example.com --password-stdin >/dev/null
  fi
done <"$work/urls"
shot() { # GTK_THEME FILE CONFIG_DIR [SECONDS]
  GTK_THEME=$1 "$bin/tokenkeeper-app" --config-dir "$3" >"$work/app.log" 2>&1 &
  local app=$! painted=0
  for _ in $(seq 300); do grep -q "first paint" "$work/app.log" && { painted=1; break; }; sleep 0.1; done
  [ "$painted" = 1 ] || { echo "screenshots: no first paint for $2" >&2; cat "$work/app.log" >&2; exit 1; }
  sleep "${4:-2.5}" # the countdowns' first tick, and the background's answer (sixty logins: longer)
  import -window root -crop 960x680+0+0 +repage "$out/$2.png"
  kill $app; wait $app 2>/dev/null || true
  # The background the window started (one per config directory).
  pkill -f "$bin/tokenkeeper daemon --config-dir $3" || true
}
# Sixty accounts (six clients, production and staging, on each API), tagged: compact rows.
mapfile -t apis <"$work/urls"
for client in acme globex hooli initech stark umbrella; do
  for env in prod staging; do
    for i in 0 1 2 3 4; do
      read -r api url ca <<<"${apis[$i]}"
      args=(--config-dir "$work/many" add "$client-$env-$api" --provider "$api" --url "$url"
        --tag "$client" --tag "$env" --username admin@example.com --password-stdin)
      [ -n "${ca:-}" ] && args+=(--ca-cert "$ca")
      printf 's3cret\n' | "$bin/tokenkeeper" "${args[@]}" >/dev/null
    done
  done
done
shot Adwaita many "$work/many" 8
# The servers go away and one refresh fails: its card shows the error.
if kill "$emulators"; then wait "$emulators" 2>/dev/null || true; fi
"$bin/tokenkeeper" --config-dir "$config" refresh demo-ece >/dev/null 2>&1 || true
touch "$work/a-file"

shot Adwaita states-light "$config"
shot Adwaita:dark states-dark "$config"
shot Adwaita empty "$work/empty"
shot Adwaita cannot-start "$work/a-file/config"
ls "$out"/{many,states-light,states-dark,empty,cannot-start}.png
