#!/usr/bin/env bash
# `tokenkeeper token NAME` against curl doing the refresh call itself, with hyperfine, in one
# run: a fresh token answered by the daemon's token agent, a fresh token on the direct path
# (TOKENKEEPER_NO_AGENT), and `tokenkeeper refresh`; plus the process start alone, to show
# where the time goes. Called by scripts/bench.sh inside a private keyring; $1 is the folder
# of the release binaries.
set -euo pipefail
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-bench-cli.XXXXXX")
"$bin/tokenkeeper-emulators" --ca-dir "$work" >"$work/urls" 2>"$work/tokens" &
emulators=$!
trap 'kill $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/tokens" ] && [ "$(wc -l <"$work/urls")" -ge 5 ] && break; sleep 0.05; done
url=$(awk '$1 == "generic-jwt" { print $2 }' "$work/urls")
rt=$(sed -n 's/^generic-jwt refresh token for [^:]*: //p' "$work/tokens" | head -n1)
export TOKENKEEPER_CONFIG_DIR="$work/config"
printf '%s\n' "$rt" | "$bin/tokenkeeper" add g --provider generic-jwt --url "$url" --refresh-token-stdin >/dev/null
body="{\"refreshToken\":\"$rt\"}"
curl_cmd="curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '$body' $url/api/v1/authenticate/refresh"
run() { # run NAME FILE COMMAND: hyperfine COMMAND against the curl refresh call
  hyperfine -N --warmup 5 --runs 100 --export-json "$work/$2" -n "$1" "$3" -n "curl refresh" "$curl_cmd" >/dev/null
}
# Without an agent: the direct path (keychain session, files).
run "tokenkeeper token (fresh, direct)" direct.json "env TOKENKEEPER_NO_AGENT=1 $bin/tokenkeeper token g"
run "tokenkeeper refresh" refresh.json "$bin/tokenkeeper refresh g"
# With the daemon's agent answering.
"$bin/tokenkeeper" daemon 2>/dev/null &
daemon=$!
trap 'kill $daemon $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do ls "$XDG_RUNTIME_DIR"/tokenkeeper/*.sock >/dev/null 2>&1 && break; sleep 0.05; done
run "tokenkeeper token (fresh, agent)" agent.json "$bin/tokenkeeper token g"
# Where the time goes: starting the process at all.
hyperfine -N --warmup 5 --runs 100 --export-json "$work/start.json" -n "tokenkeeper --version" "$bin/tokenkeeper --version" >/dev/null
kill $daemon
python3 - "$work" <<'PY'
import json, sys, os
work = sys.argv[1]
def load(name):
    return json.load(open(os.path.join(work, name)))["results"]
start = load("start.json")[0]["mean"]
for name in ("agent.json", "direct.json", "refresh.json"):
    tk, curl = load(name)
    print(f'{tk["command"]}: {tk["mean"]*1000:.2f} ms ± {tk["stddev"]*1000:.2f}; '
          f'{curl["command"]}: {curl["mean"]*1000:.2f} ms ± {curl["stddev"]*1000:.2f}; '
          f'ratio {tk["mean"]/curl["mean"]:.2f}; beyond starting the process: {(tk["mean"]-start)*1000:.2f} ms')
print(f"tokenkeeper --version (process start): {start*1000:.2f} ms")
PY
