#!/usr/bin/env bash
# The Windows installer checked as a user meets it, under Wine in a prefix of its own
# (target/wine/install-prefix): what it holds (7z lists an NSIS installer), a silent install
# (files, PATH once with other entries kept, the uninstall entry, Start at login with
# /AUTOSTART, the CLI answering from the install folder), a second install over it, a silent
# uninstall that keeps the accounts, and one with /PURGE that does not. Prints one line per
# check and `windows install checks: N passed, M failed`; fails if any failed.
#   scripts/windows-install-check.sh [SETUP.EXE]   (default: scripts/package-windows.sh --debug)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/wine-prefix.sh
. scripts/wine-prefix.sh

setup=${1:-$(scripts/package-windows.sh --debug | tail -n 1)}
prefix=$PWD/target/wine/install-prefix
rm -rf "$prefix"
wine_prefix "$prefix"
/usr/lib/wine/wineserver -k 2>/dev/null || true

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
reg_value() { # reg_value KEY VALUE: the value's data, or nothing
  "$wine" reg query "HKCU\\$1" /v "$2" 2>/dev/null | tr -d '\r' |
    awk -v v="$2" '$1 == v { sub(/^[ \t]*[^ \t]+[ \t]+REG_[A-Z_]+[ \t]+/, ""); print }' || true
}
has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }
count_is() { [ "$(grep -oF -- "$2" <<<"$1" | wc -l)" -eq "$3" ]; }

listing=$(7z l "$setup")
for f in tokenkeeper.exe tokenkeeper-background.exe tokenkeeper-app.exe WebView2Loader.dll; do
  check "the installer holds $f" has "$listing" "$f"
done

user_dir=$prefix/drive_c/users/${USER:-$(id -un)}
[ -d "$user_dir" ] || user_dir=$(find "$prefix/drive_c/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -n 1)
install=$user_dir/AppData/Local/Programs/TokenKeeper
win_install="C:\\users\\$(basename "$user_dir")\\AppData\\Local\\Programs\\TokenKeeper"
config=$user_dir/AppData/Roaming/tokenkeeper
run_key='Software\Microsoft\Windows\CurrentVersion\Run'
uninstall_key='Software\Microsoft\Windows\CurrentVersion\Uninstall\TokenKeeper'

# Someone else's PATH entry, which must survive.
"$wine" reg add 'HKCU\Environment' /v Path /t REG_EXPAND_SZ /d 'C:\other' /f >/dev/null 2>&1

install_silently() { "$wine" "$setup" /S "$@" >/dev/null 2>&1; }
# The uninstaller copies itself away and returns at once: wait until it is done.
uninstall_silently() {
  "$wine" "$win_install\\Uninstall.exe" /S "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 120); do
    [ -e "$install/Uninstall.exe" ] || [ -n "$(reg_value "$uninstall_key" DisplayName)" ] || return 0
    sleep 0.5
  done
}

install_silently /AUTOSTART
for f in tokenkeeper.exe tokenkeeper-background.exe tokenkeeper-app.exe WebView2Loader.dll Uninstall.exe; do
  check "installed: $f" test -f "$install/$f"
done
path=$(reg_value Environment Path)
check "PATH holds the install folder once, after the other entries ($path)" \
  test "$path" = "C:\\other;$win_install"
check "the uninstall entry names TokenKeeper" test "$(reg_value "$uninstall_key" DisplayName)" = TokenKeeper
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
check "the uninstall entry has the version" test "$(reg_value "$uninstall_key" DisplayVersion)" = "$version"
check "the uninstall entry runs the uninstaller" has "$(reg_value "$uninstall_key" UninstallString)" '\Uninstall.exe"'
check "the quiet uninstall is /S" has "$(reg_value "$uninstall_key" QuietUninstallString)" 'Uninstall.exe" /S'
login=$(reg_value "$run_key" TokenKeeper)
check "/AUTOSTART: the Run key starts the installed background ($login)" \
  has "$login" "$win_install\\tokenkeeper-background.exe daemon"
answer=$("$wine" "$win_install\\tokenkeeper.exe" --version 2>/dev/null | tr -d '\r')
check "tokenkeeper.exe --version from the install folder ($answer)" test "$answer" = "tokenkeeper $version"

install_silently
check "a second install keeps PATH as it was" test "$(reg_value Environment Path)" = "C:\\other;$win_install"

mkdir -p "$config/config"
echo keep >"$config/config/marker"
uninstall_silently
check "uninstalled: the programs are gone" test ! -e "$install/tokenkeeper.exe"
check "uninstalled: the install folder is gone" test ! -e "$install"
check "uninstalled: PATH keeps the other entry only" test "$(reg_value Environment Path)" = 'C:\other'
check "uninstalled: the uninstall entry is gone" test -z "$(reg_value "$uninstall_key" DisplayName)"
check "uninstalled: nothing starts at login" test -z "$(reg_value "$run_key" TokenKeeper)"
check "uninstalled without /PURGE: the accounts stay" test -f "$config/config/marker"

install_silently
uninstall_silently /PURGE
check "uninstalled with /PURGE: the accounts are gone" test ! -e "$config"

/usr/lib/wine/wineserver -k 2>/dev/null || true
echo "windows install checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
