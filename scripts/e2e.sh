#!/usr/bin/env bash
# End-to-end tests of the real desktop app: builds it with its UI embedded, then, under Xvfb in
# a private D-Bus session with a throwaway unlocked gnome-keyring, starts a notification daemon
# (python-dbusmock, logging every call) and two tauri-drivers (light, and a dark GTK theme), and
# runs tests/e2e. Screenshots land in target/e2e-screenshots/ (docs/screenshots/ is renewed only
# by scripts/screenshots.sh). Extra arguments go to cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --e2e >&2
(cd ui && npm run --silent build >/dev/null)
# The same build as the test command's (every target, one feature set: nothing is rebuilt);
# tauri.conf.json has no devUrl, so the app binary embeds ui/dist.
cargo build --quiet --workspace --all-targets --locked
app="$PWD/target/debug/tokenkeeper-app"
export TOKENKEEPER_APP="$app" TOKENKEEPER_CLI="$PWD/target/debug/tokenkeeper"
export NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
# The real JWT Auth Pro site for the test that adds one through the form (skipped without it).
kit=${REALWP_KIT:-$(cd .. && pwd)/shared/realwp}
if [ -x "$kit/setup.sh" ]; then export REALWP_KIT=$kit; fi
# A stale app from an earlier run would own the single-instance name of a new session's bus;
# each run has its own bus, but make sure nothing else is driving the display.
pkill -f "$app" 2>/dev/null || true
# -noreset: by default Xvfb resets when its last client disconnects, and a client connecting
# during the reset fails ("Failed to initialize GTK"): that happens when one test's app exits
# and the next test starts its own at once (measured: 1-2 failed connections in 300).

exec scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x900x24 -noreset" bash -c '
  set -euo pipefail
  # Core dumps allowed for what starts here (many machines default to 0), so the test that the
  # app sets its own limit to 0 proves something.
  ulimit -S -c unlimited 2>/dev/null || true
  work=$(mktemp -d)
  export TOKENKEEPER_NOTIFY_LOG="$work/notifications.log"
  # The pages the app opens in "the browser" (an OAuth 2.0 sign-in), for the test to play.
  export TOKENKEEPER_BROWSER_LOG="$work/browser.log" BROWSER="$PWD/tests/e2e/browser.sh"
  : >"$TOKENKEEPER_BROWSER_LOG"
  /usr/bin/python3 -m dbusmock --template notification_daemon -l "$TOKENKEEPER_NOTIFY_LOG" >"$work/dbusmock.out" 2>&1 &
  tauri-driver --port 4444 --native-port 4445 >"$work/driver-light.log" 2>&1 &
  GTK_THEME=Adwaita:dark tauri-driver --port 4446 --native-port 4447 >"$work/driver-dark.log" 2>&1 &
  trap "kill \$(jobs -p) 2>/dev/null; rm -rf \"\$work\"" EXIT
  # The notification daemon must own its bus name before the app starts.
  owned=0
  for _ in $(seq 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetNameOwner string:org.freedesktop.Notifications >/dev/null 2>&1; then
      owned=1; break
    fi
    sleep 0.1
  done
  if [ "$owned" != 1 ]; then
    echo "e2e: the notification daemon (python3-dbusmock) did not start:" >&2
    cat "$work/dbusmock.out" >&2
    exit 1
  fi
  cargo test --workspace --locked --test desktop_app --test background --test oauth -- --ignored --test-threads=1 "$@"
' e2e "$@"
