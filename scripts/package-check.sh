#!/usr/bin/env bash
# The install check: builds the packages (debug, as CI does; --release for release ones),
# installs the .deb with apt, starts the installed app under Xvfb to a visible window, runs the
# installed `tokenkeeper --version` and its bash completion, reads the man page and the
# systemd user unit, removes the package and checks that none of its files is left under /usr;
# then reads the .rpm's metadata and file list. Needs root (apt). Prints one line per check and
# a closing "package checks: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

profile_flag=--debug
[ "${1:-}" = "--release" ] && profile_flag=""
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
scripts/setup.sh rpm >&2 || exit 1

passed=0
failed=0
check() { # check NAME COMMAND...: runs COMMAND, counts and prints the outcome
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok - $name"
  else
    failed=$((failed + 1)); echo "not ok - $name"; printf '%s\n' "$out" | sed 's/^/    /' | tail -n 20
  fi
}

mapfile -t packages < <(scripts/package.sh $profile_flag | tail -n 2)
deb=${packages[0]:-}
rpm=${packages[1]:-}
if [ ! -f "$deb" ] || [ ! -f "$rpm" ]; then
  echo "not ok - the packages were built"
  echo "package checks: 0 passed, 1 failed"
  exit 1
fi
echo "ok - the packages were built: $(basename "$deb"), $(basename "$rpm")"
passed=$((passed + 1))

name=$(dpkg-deb -f "$deb" Package)
check "the .deb declares WebKitGTK and GTK, and no tray library (the tray is the background's, over D-Bus)" \
  bash -c "dpkg-deb -f '$deb' Depends | grep -q libwebkit2gtk-4.1-0 && dpkg-deb -f '$deb' Depends | grep -q libgtk-3-0 && ! dpkg-deb -f '$deb' Depends | grep -q appindicator"
check "the .deb has a description, a maintainer and a homepage" \
  bash -c "dpkg-deb -f '$deb' Description | grep -q 'bearer tokens' && [ \"\$(dpkg-deb -f '$deb' Maintainer)\" != example ] && dpkg-deb -f '$deb' Homepage | grep -q ."

$sudo dpkg -r "$name" >/dev/null 2>&1 || true
check "apt installs the .deb" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb"
files=$(dpkg -L "$name" 2>/dev/null | while read -r f; do [ -f "$f" ] && echo "$f"; done)

check "tokenkeeper is on the PATH and runs" bash -c "command -v tokenkeeper | grep -qx /usr/bin/tokenkeeper && tokenkeeper --version | grep -q '^tokenkeeper '"
check "the background binary is installed beside it" bash -c "/usr/bin/tokenkeeper-background --version | grep -q '^tokenkeeper-background '"
check "bash completes 'tokenkeeper to' with token" bash -c '
  source /usr/share/bash-completion/completions/tokenkeeper
  COMP_WORDS=(tokenkeeper to); COMP_CWORD=1; COMP_LINE="tokenkeeper to"; COMP_POINT=${#COMP_LINE}
  _tokenkeeper tokenkeeper to tokenkeeper
  printf "%s\n" "${COMPREPLY[@]}" | grep -qx token'
check "zsh and fish completions are installed" test -s /usr/share/zsh/vendor-completions/_tokenkeeper -a -s /usr/share/fish/vendor_completions.d/tokenkeeper.fish
check "the man page is installed and names the commands" bash -c "man -l /usr/share/man/man1/tokenkeeper.1 2>/dev/null | grep -q 'tokenkeeper' || grep -q '^.TH tokenkeeper 1' /usr/share/man/man1/tokenkeeper.1"
check "a man page per command, each with its options and exit status" bash -c "for c in add token exec refresh daemon; do f=/usr/share/man/man1/tokenkeeper-\$c.1; grep -q '^.SH OPTIONS' \$f && grep -q 'Exit status' \$f || { echo \"\$f\"; exit 1; }; done"
check "the systemd user unit is hardened (private files, no core dumps, no privileges, no writable code)" bash -c "for d in UMask=0077 LimitCORE=0 NoNewPrivileges=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' LockPersonality=yes MemoryDenyWriteExecute=yes SystemCallArchitectures=native; do grep -qx \"\$d\" /usr/lib/systemd/user/tokenkeeper-daemon.service || { echo \"missing: \$d\"; exit 1; }; done"
check "the systemd user unit runs the daemon and is not enabled" bash -c "grep -qx 'ExecStart=/usr/bin/tokenkeeper daemon' /usr/lib/systemd/user/tokenkeeper-daemon.service && ! ls /etc/systemd/user/*.wants/tokenkeeper-daemon.service 2>/dev/null"
check "a background started before an upgrade keeps serving the upgraded window" bash -c '
  set -e
  rt=$(mktemp -d); chmod 700 "$rt"; cfg="$rt/config"
  XDG_RUNTIME_DIR="$rt" tokenkeeper daemon --no-tray --config-dir "$cfg" 2>"$rt/daemon.log" &
  pid=$!
  for _ in $(seq 100); do grep -q "background started" "$rt/daemon.log" && break; sleep 0.1; done
  '"$sudo"' env DEBIAN_FRONTEND=noninteractive apt-get install --reinstall -y -qq "'"$deb"'" >/dev/null
  # The new window binary finds the running background (it starts none: no launch log).
  XDG_RUNTIME_DIR="$rt" tokenkeeper-app --hidden --config-dir "$cfg"
  sleep 1
  ok=0
  kill -0 "$pid" && ! ls "$rt"/tokenkeeper/*.log >/dev/null 2>&1 && ok=1
  kill "$pid"; wait "$pid" || true
  [ "$ok" = 1 ]'
check "the desktop entry names the app, its icon and its window class" bash -c "f=/usr/share/applications/tokenkeeper.desktop; grep -qx 'Name=TokenKeeper' \$f && grep -qx 'Exec=tokenkeeper-app' \$f && grep -qx 'StartupWMClass=tokenkeeper-app' \$f && grep -q '^Categories=Utility' \$f && grep -q '^Comment=.' \$f"
check "the icon comes in 32, 128 and 256 px" bash -c "for s in 32x32 128x128 256x256; do test -s /usr/share/icons/hicolor/\$s/apps/tokenkeeper-app.png || exit 1; done"
check "the installed app opens a visible window and starts the installed background" timeout 90 scripts/with-keyring.sh xvfb-run -a -s "-screen 0 1280x900x24 -noreset" bash -c '
  export NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
  dir=$(mktemp -d)
  /usr/bin/tokenkeeper-app --config-dir "$dir/config" >"$dir/app.log" 2>&1 &
  app=$!
  ok=0
  for _ in $(seq 120); do
    if [ "$(/usr/bin/python3 tests/e2e/xwin.py count TokenKeeper)" = 1 ] &&
      pgrep -fx "/usr/bin/tokenkeeper daemon --config-dir $dir/config" >/dev/null; then ok=1; break; fi
    kill -0 $app 2>/dev/null || break
    sleep 0.5
  done
  kill $app 2>/dev/null
  pkill -fx "/usr/bin/tokenkeeper daemon --config-dir $dir/config"
  [ "$ok" = 1 ] || { cat "$dir/app.log"; exit 1; }'

check "apt removes the package" $sudo env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$name"
check "nothing of the package is left under /usr" bash -c "
  left=0
  while read -r f; do [ -n \"\$f\" ] && [ -e \"\$f\" ] && { echo \"left: \$f\"; left=1; }; done <<<'$files'
  [ -n '$files' ] && [ \$left = 0 ]"

check "the .rpm's metadata" bash -c "rpm -qip '$rpm' | grep -q '^Name *: tokenkeeper' && rpm -qip '$rpm' | grep -q '^License *: MIT OR Apache-2.0' && rpm -qip '$rpm' | grep -q '^URL *: http'"
check "the .rpm recommends a Secret Service, as the .deb does" bash -c "rpm -qp --recommends '$rpm' | grep -q gnome-keyring"
check "the .rpm requires WebKitGTK and GTK" bash -c "rpm -qpR '$rpm' | grep -q libwebkit2gtk-4.1 && rpm -qpR '$rpm' | grep -q libgtk-3"
check "the .rpm carries the app, the CLI, the background, completions, man page, unit, desktop entry and icons" bash -c "
  list=\$(rpm -qlp '$rpm')
  for f in /usr/bin/tokenkeeper-app /usr/bin/tokenkeeper /usr/bin/tokenkeeper-background /usr/share/bash-completion/completions/tokenkeeper \
      /usr/share/zsh/vendor-completions/_tokenkeeper /usr/share/fish/vendor_completions.d/tokenkeeper.fish \
      /usr/share/man/man1/tokenkeeper.1 /usr/share/man/man1/tokenkeeper-token.1 /usr/lib/systemd/user/tokenkeeper-daemon.service \
      /usr/share/applications/tokenkeeper.desktop /usr/share/icons/hicolor/256x256/apps/tokenkeeper-app.png; do
    grep -qx \"\$f\" <<<\"\$list\" || { echo \"missing \$f\"; exit 1; }
  done"

echo "package checks: $passed passed, $failed failed"
[ "$failed" = 0 ]
