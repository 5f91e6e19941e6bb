#!/usr/bin/env bash
# The Windows installer checked as a user meets it, under Wine in a prefix of its own
# (target/wine/install-prefix, made afresh each run): what it holds (7z lists an NSIS
# installer), a silent install (files, PATH once with other entries kept, the uninstall entry
# and its fields, the Start menu entry, Start at login with /AUTOSTART, the CLI answering from
# the install folder), an account added with the installed CLI against the loopback emulators
# (target/debug/tokenkeeper-emulators), a second install over the first, a silent uninstall
# while the background runs (it is stopped; the accounts, their Credential Manager entries and
# the window's WebView2 data stay, and a reinstall finds the accounts), and one with /PURGE
# (all three gone). Prints one line per check and `windows install checks: N passed, M failed`;
# fails if any failed.
#   scripts/windows-install-check.sh [SETUP.EXE]   (default: scripts/package-windows.sh --debug)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/wine-prefix.sh
. scripts/wine-prefix.sh

setup=${1:-$(scripts/package-windows.sh --debug | tail -n 1)}
# The emulators are the test command's (its workspace build makes them).
emulators=$PWD/target/debug/tokenkeeper-emulators
[ -x "$emulators" ] || cargo build --locked -p tokenkeeper-emulators >&2
prefix=$PWD/target/wine/install-prefix
rm -rf "$prefix"
wine_prefix "$prefix"
wineserver=/usr/lib/wine/wineserver
"$wineserver" -k 2>/dev/null || true

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-wininst.XXXXXX")
emulators_pid=""
daemon_pid=""
cleanup() {
  for pid in $daemon_pid $emulators_pid; do kill "$pid" 2>/dev/null || true; done
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

passed=0 failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"; passed=$((passed + 1))
  else
    echo "FAIL: $what"; failed=$((failed + 1))
  fi
}
reg_value() { # reg_value KEY VALUE: the value's data (under HKCU), or nothing
  "$wine" reg query "HKCU\\$1" /v "$2" 2>/dev/null | tr -d '\r' |
    awk -v v="$2" '$1 == v { sub(/^[ \t]*[^ \t]+[ \t]+REG_[A-Z_]+[ \t]+/, ""); print }' || true
}
credentials() { # the number of generic credentials in the prefix's Credential Manager
  "$wine" reg query 'HKCU\Software\Wine\Credential Manager' 2>/dev/null | grep -c 'Credential Manager\\Generic: ' || true
}
has() { grep -qF -- "$2" <<<"$1"; }
within() { # within A B PERCENT: A is within PERCENT % of B
  [ "$2" -gt 0 ] && [ $(($1 * 100)) -ge $(($2 * (100 - $3))) ] && [ $(($1 * 100)) -le $(($2 * (100 + $3))) ]
}
# Every Windows program of the prefix has ended (the wineserver goes when the last one does).
settled() { timeout 120 "$wineserver" -w; }
ended() { ! ps -o stat= -p "$1" | grep -qv Z; } # ended PID: gone, or a zombie

listing=$(7z l "$setup")
for f in tokenkeeper.exe tokenkeeper-background.exe tokenkeeper-app.exe WebView2Loader.dll; do
  check "the installer holds $f" has "$listing" "$f"
done

user_dir=$prefix/drive_c/users/${USER:-$(id -un)}
[ -d "$user_dir" ] || user_dir=$(find "$prefix/drive_c/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -n 1)
install=$user_dir/AppData/Local/Programs/TokenKeeper
win_install="C:\\users\\$(basename "$user_dir")\\AppData\\Local\\Programs\\TokenKeeper"
config=$user_dir/AppData/Roaming/tokenkeeper
webview=$user_dir/AppData/Local/dev.tokenkeeper.desktop
shortcut="$user_dir/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/TokenKeeper.lnk"
run_key='Software\Microsoft\Windows\CurrentVersion\Run'
uninstall_key='Software\Microsoft\Windows\CurrentVersion\Uninstall\TokenKeeper'
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
# The installed CLI's output (nothing when it fails: the checks say so).
tokenkeeper() { "$wine" "$win_install\\tokenkeeper.exe" "$@" 2>>"$scratch/cli.err" | tr -d '\r' || true; }

# Someone else's PATH entry, which must survive.
"$wine" reg add 'HKCU\Environment' /v Path /t REG_EXPAND_SZ /d 'C:\other' /f >/dev/null 2>&1

# The installer runs to its end before wine returns.
install_silently() { "$wine" "$setup" /S "$@" >/dev/null 2>&1; }
# The uninstaller copies itself to %TEMP% and returns at once, the copy doing the work (so that
# it can delete the install folder, itself included): wait until it has ended.
uninstall_silently() {
  "$wine" "$win_install\\Uninstall.exe" /S "$@" >/dev/null 2>&1 || true
  settled || echo "windows-install-check: Windows programs still run in $prefix after 120 s" >&2
}

install_silently /AUTOSTART
for f in tokenkeeper.exe tokenkeeper-background.exe tokenkeeper-app.exe WebView2Loader.dll README.md tokenkeeper.ico Uninstall.exe; do
  check "installed: $f" test -f "$install/$f"
done
check "a Start menu entry" test -f "$shortcut"
path=$(reg_value Environment Path)
check "PATH holds the install folder once, after the other entries ($path)" \
  test "$path" = "C:\\other;$win_install"
check "the uninstall entry names TokenKeeper" test "$(reg_value "$uninstall_key" DisplayName)" = TokenKeeper
check "the uninstall entry has the version" test "$(reg_value "$uninstall_key" DisplayVersion)" = "$version"
check "the uninstall entry has the publisher" test "$(reg_value "$uninstall_key" Publisher)" = "The TokenKeeper authors"
check "the uninstall entry has the install folder" test "$(reg_value "$uninstall_key" InstallLocation)" = "$win_install"
check "the uninstall entry's icon is installed" test "$(reg_value "$uninstall_key" DisplayIcon)" = "$win_install\\tokenkeeper.ico"
check "the uninstall entry runs the uninstaller, quoted" \
  test "$(reg_value "$uninstall_key" UninstallString)" = "\"$win_install\\Uninstall.exe\""
check "the quiet uninstall is /S" \
  test "$(reg_value "$uninstall_key" QuietUninstallString)" = "\"$win_install\\Uninstall.exe\" /S"
check "the uninstall entry offers no Modify and no Repair" \
  test "$(reg_value "$uninstall_key" NoModify) $(reg_value "$uninstall_key" NoRepair)" = "0x1 0x1"
size_kb=$(($(reg_value "$uninstall_key" EstimatedSize)))
check "the uninstall entry's size is the install folder's ($size_kb KB)" within "$size_kb" "$(du -sk "$install" | cut -f1)" 10
login=$(reg_value "$run_key" TokenKeeper)
check "/AUTOSTART: the Run key starts the installed background ($login)" \
  has "$login" "$win_install\\tokenkeeper-background.exe daemon"
check "tokenkeeper autostart says on" test "$(tokenkeeper autostart)" = on
answer=$(tokenkeeper --version)
check "tokenkeeper.exe --version from the install folder ($answer)" test "$answer" = "tokenkeeper $version"

# An account, added as a user would: the installed CLI against the ECE emulator (plain HTTP on
# loopback), its password in Credential Manager.
"$emulators" >"$scratch/emulators.out" 2>"$scratch/emulators.err" &
emulators_pid=$!
for _ in $(seq 1 100); do grep -q '^jwt-auth-pro ' "$scratch/emulators.out" && break; sleep 0.1; done
ece=$(awk '$1 == "ece" { print $2 }' "$scratch/emulators.out")
tokenkeeper add work --provider ece --url "$ece" --username admin@example.com --password-stdin <<<"s3cret" >/dev/null
[ "$(credentials)" -gt 0 ] || sed 's/^/    /' "$scratch/cli.err" "$scratch/emulators.err"
check "an account added with the installed CLI has its secrets in Credential Manager" test "$(credentials)" -gt 0
secrets=$(credentials)

install_silently
check "a second install keeps PATH as it was" test "$(reg_value Environment Path)" = "C:\\other;$win_install"
check "a second install keeps Start at login" test "$(tokenkeeper autostart)" = on

# What the window's WebView2 keeps (the window does not start under Wine: no WebView2 runtime).
mkdir -p "$webview/EBWebView"

# The background runs (from the install folder, as `tokenkeeper daemon` in a terminal would)
# while the uninstaller runs.
"$wine" "$win_install\\tokenkeeper.exe" daemon --no-tray >/dev/null 2>"$scratch/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 300); do grep -q 'background started' "$scratch/daemon.log" && break; sleep 0.1; done
check "the installed background runs" grep -q 'background started' "$scratch/daemon.log"
uninstall_silently
check "uninstalled: the running background was stopped" ended "$daemon_pid"
kill "$daemon_pid" 2>/dev/null || true
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
check "uninstalled: the programs are gone" test ! -e "$install/tokenkeeper.exe" -a ! -e "$install/tokenkeeper-background.exe"
check "uninstalled: the install folder is gone" test ! -e "$install"
check "uninstalled: the Start menu entry is gone" test ! -e "$shortcut"
check "uninstalled: PATH keeps the other entry only" test "$(reg_value Environment Path)" = 'C:\other'
check "uninstalled: the uninstall entry is gone" test -z "$(reg_value "$uninstall_key" DisplayName)"
check "uninstalled: nothing starts at login" test -z "$(reg_value "$run_key" TokenKeeper)"
check "uninstalled without /PURGE: the accounts stay" test -f "$config/config/config.json"
check "uninstalled without /PURGE: their Credential Manager entries stay" test "$(credentials)" = "$secrets"
check "uninstalled without /PURGE: the window's WebView2 data stays" test -d "$webview/EBWebView"

install_silently
check "installed again: the program is installed, nothing starts at login" \
  test -f "$install/tokenkeeper.exe" -a -z "$(reg_value "$run_key" TokenKeeper)"
check "installed again: the account gives a token" test -n "$(tokenkeeper token work)"
uninstall_silently /PURGE
check "uninstalled with /PURGE: the accounts are gone" test ! -e "$config"
check "uninstalled with /PURGE: so are their Credential Manager entries" test "$(credentials)" = 0
check "uninstalled with /PURGE: so is the window's WebView2 data" test ! -e "$webview"
check "uninstalled with /PURGE: the programs are gone" test ! -e "$install"

echo "windows install checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
