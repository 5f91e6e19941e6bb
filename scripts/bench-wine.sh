#!/usr/bin/env bash
# `tokenkeeper.exe token NAME` under Wine, answered by the background's agent over its named
# pipe, against curl making the API's refresh call itself: curl's own library with Schannel in a
# Windows program under the same Wine (bench/curl-windows, like for like), over HTTP and over
# HTTPS (Redis Enterprise's emulator, its own CA), and Linux's curl (as scripts/bench-cli.sh
# does); with hyperfine; plus the direct path, Wine starting tokenkeeper.exe and an empty
# Windows program, to show where the time goes. Uses the release build for Windows and scripts/wine.sh's
# prefix:
#   cargo build --release --target x86_64-pc-windows-gnu -p tokenkeeper-cli
#   scripts/wine.sh  (once, for the prefix)
#   scripts/bench-wine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exe=$PWD/target/x86_64-pc-windows-gnu/release/tokenkeeper.exe
wine=${WINE:-/usr/lib/wine/wine64}
export WINEPREFIX=$PWD/target/wine/prefix WINEDEBUG=-all
cargo build --release --locked -p tokenkeeper-emulators >&2
# libcurl for Windows, built from source (not in the workspace: its C build stays out of the
# test command's builds).
CARGO_TARGET_DIR=$PWD/target/curl-windows cargo build --release --locked \
  --manifest-path bench/curl-windows/Cargo.toml --target x86_64-pc-windows-gnu >&2
wincurl=$PWD/target/curl-windows/x86_64-pc-windows-gnu/release/curl-windows.exe
# What keeps the CLI's start short: no GUI, shell or COM library among its imports (the tray,
# the clipboard and notifications are the background's; the browser opens in a process of its
# own; the config folder comes from %APPDATA%). The release build only: without LTO, a debug
# build imports every raw-dylib function its dependencies name.
imports=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\tDLL Name: //p' | tr '[:upper:]' '[:lower:]' | sort -u)
gui=$(grep -xE 'user32.dll|gdi32.dll|comctl32.dll|shell32.dll|ole32.dll|oleaut32.dll|combase.dll' <<<"$imports" || true)
if [ -n "$gui" ]; then
  echo "bench-wine: tokenkeeper.exe imports $(tr '\n' ' ' <<<"$gui")(each Wine start loads them)" >&2
  exit 1
fi
echo "tokenkeeper.exe imports: $(tr '\n' ' ' <<<"$imports")"
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-bench-wine.XXXXXX")
target/release/tokenkeeper-emulators --ca-dir "$work" >"$work/urls" 2>"$work/tokens" &
emulators=$!
trap 'kill $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/tokens" ] && [ "$(wc -l <"$work/urls")" -ge 5 ] && break; sleep 0.05; done
url=$(awk '$1 == "generic-jwt" { print $2 }' "$work/urls")
rt=$(sed -n 's/^generic-jwt refresh token for [^:]*: //p' "$work/tokens" | head -n1)
config="Z:$work/config"  # Windows takes forward slashes; hyperfine -N would eat backslashes
tk() { "$wine" "$exe" --config-dir "$config" "$@"; }
printf '%s\n' "$rt" | tk add g --provider generic-jwt --url "$url" --refresh-token-stdin >/dev/null
rurl=$(awk '$1 == "redis-enterprise" { print $2 }' "$work/urls")
rca=$(awk '$1 == "redis-enterprise" { print $3 }' "$work/urls")
printf 's3cret\n' | tk add r --provider redis-enterprise --url "$rurl" --username admin@example.com \
  --ca-cert "Z:$rca" --password-stdin >/dev/null
body="{\"refreshToken\":\"$rt\"}"
curl_cmd="curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '$body' $url/api/v1/authenticate/refresh"
run() { # run NAME FILE COMMAND [CURL]: hyperfine COMMAND against a curl refresh call
  hyperfine -N --warmup 5 --runs 60 --export-json "$work/$2" -n "$1" "$3" -n "curl refresh" "${4:-$curl_cmd}" >/dev/null
}
run "tokenkeeper.exe token (fresh, direct)" direct.json "env TOKENKEEPER_NO_AGENT=1 $wine $exe --config-dir $config token g"
tk daemon --no-tray >/dev/null 2>"$work/daemon.log" &
daemon=$!
trap 'kill $daemon $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q "background started" "$work/daemon.log" && break; sleep 0.05; done
run "tokenkeeper.exe token (fresh, agent)" agent.json "$wine $exe --config-dir $config token g"
# The same, against libcurl making the refresh call in a Windows program under the same Wine.
run "tokenkeeper.exe token (fresh, agent)" agent-wine.json "$wine $exe --config-dir $config token g" \
  "$wine $wincurl $url/api/v1/authenticate/refresh '$body'"
# Over HTTPS, as a script reaches a real API: Redis Enterprise's refresh with the current JWT.
jwt=$(tk token r)
run "tokenkeeper.exe token (fresh, agent, an HTTPS API)" agent-wine-tls.json \
  "$wine $exe --config-dir $config token r" \
  "$wine $wincurl $rurl/v1/users/refresh_jwt '{}' --header 'authorization: JWT $jwt' --cacert Z:$rca"
hyperfine -N --warmup 3 --runs 30 --export-json "$work/start.json" -n "tokenkeeper.exe --version" "$wine $exe --version" >/dev/null
# Wine starting a Windows program that does nothing: the floor under both.
x86_64-w64-mingw32-gcc -O2 -o "$work/empty.exe" -x c - <<<'int main(void) { return 0; }'
hyperfine -N --warmup 3 --runs 30 --export-json "$work/empty.json" -n "empty.exe" "$wine $work/empty.exe" >/dev/null
kill -INT $daemon
python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
def load(name):
    return json.load(open(os.path.join(work, name)))["results"]
start = load("start.json")[0]["mean"]
empty = load("empty.json")[0]["mean"]
for name, against in (("agent-wine.json", "libcurl under Wine"),
                      ("agent-wine-tls.json", "libcurl under Wine, HTTPS"),
                      ("agent.json", "Linux curl"), ("direct.json", "Linux curl")):
    tk, curl = load(name)
    print(f'{tk["command"]}: {tk["mean"]*1000:.1f} ms ± {tk["stddev"]*1000:.1f}; '
          f'{against}: {curl["mean"]*1000:.2f} ms ± {curl["stddev"]*1000:.1f}; '
          f'ratio {tk["mean"]/curl["mean"]:.2f}; '
          f'beyond Wine starting the program: {(tk["mean"]-start)*1000:.1f} ms'
          + (f', curl: {(curl["mean"]-start)*1000:.1f} ms' if "Wine" in against else ''))
print(f"tokenkeeper.exe --version under Wine (starting the program): {start*1000:.1f} ms")
print(f"an empty Windows program under Wine: {empty*1000:.1f} ms")
PY
