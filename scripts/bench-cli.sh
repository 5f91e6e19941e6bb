#!/usr/bin/env bash
# `tokenkeeper token NAME` against curl doing the same HTTP call, with hyperfine: once with a
# fresh token (no HTTP for tokenkeeper) and once forcing a refresh. Called by scripts/bench.sh
# inside a private keyring; $1 is the folder of the release binaries.
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
hyperfine -N --warmup 5 --runs 100 --export-json "$work/fresh.json" \
  -n "tokenkeeper token (fresh)" "$bin/tokenkeeper token g" -n "curl refresh" "$curl_cmd" >/dev/null
hyperfine -N --warmup 5 --runs 100 --export-json "$work/forced.json" \
  -n "tokenkeeper token (forced refresh)" "$bin/tokenkeeper token g --min-valid 100000000" -n "curl refresh" "$curl_cmd" >/dev/null
python3 - "$work/fresh.json" "$work/forced.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    tk, curl = results[0], results[1]
    print(f'{tk["command"]}: {tk["mean"]*1000:.2f} ms ± {tk["stddev"]*1000:.2f}; '
          f'{curl["command"]}: {curl["mean"]*1000:.2f} ms ± {curl["stddev"]*1000:.2f}; '
          f'ratio {tk["mean"]/curl["mean"]:.2f}')
PY
