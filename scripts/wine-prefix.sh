# Sourced by the scripts that run Windows programs under Wine (wine.sh, windows-install-check.sh):
# `wine_prefix DIR` makes a Wine prefix there once (about 10 s) and puts in it the
# bcryptprimitives.dll that Wine 8 lacks (Rust's standard library takes its randomness from it;
# Windows 10 and later have it), built from crates/tokenkeeper-cli/tests/wine/shim; then
# exports WINEPREFIX and WINEDEBUG. Sets `wine` to Wine's 64-bit loader.
# shellcheck shell=bash

wine=${WINE:-/usr/lib/wine/wine64}

wine_prefix() {
  local prefix=$1 shim=crates/tokenkeeper-cli/tests/wine/shim dll=$PWD/target/wine/bcryptprimitives.dll
  mkdir -p "$(dirname "$dll")"
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dll" "$shim/bcryptprimitives.c" "$shim/bcryptprimitives.def" -ladvapi32
  export WINEPREFIX=$prefix WINEDEBUG=-all
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "wine: making the prefix $WINEPREFIX" >&2
    "$wine" wineboot -i >/dev/null 2>&1 || true
  fi
  cp "$dll" "$WINEPREFIX/drive_c/windows/system32/"
}
