#!/usr/bin/env bash
# Walks through the CLI against the emulators (called by scripts/run.sh inside a private keyring).
set -euo pipefail
bin=target/debug
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-demo.XXXXXX")
export TOKENKEEPER_CONFIG_DIR="$work/config"
"$bin/tokenkeeper-emulators" --ca-dir "$work" >"$work/emulators.txt" &
emulators=$!
trap 'kill $emulators 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ "$(wc -l <"$work/emulators.txt")" -ge 5 ] && break; sleep 0.1; done
url() { awk -v id="$1" '$1 == id { print $2 }' "$work/emulators.txt"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

tk() { say "tokenkeeper $*"; "$bin/tokenkeeper" "$@"; }
echo s3cret | tk add redis --provider redis-enterprise --url "$(url redis-enterprise)" \
  --username admin@example.com --ca-cert "$work/redis-enterprise-ca.pem" --ttl 120 --password-stdin
echo s3cret | tk add ece --provider ece --url "$(url ece)" --username admin@example.com --password-stdin
echo s3cret | tk add smartling --provider smartling --url "$(url smartling)" --username admin@example.com --password-stdin
# The generic API has no login: the emulator hands out a refresh token for the demo.
curl -s -X POST "$(url generic-jwt)/__demo/refresh-token" >"$work/rt" 2>/dev/null || true
if [ -s "$work/rt" ]; then
  tk add generic --provider generic-jwt --url "$(url generic-jwt)" --refresh-token-stdin <"$work/rt"
fi
echo s3cret | tk add wordpress --provider jwt-auth-pro --url "$(url jwt-auth-pro)" --username admin@example.com --password-stdin
tk list
say 'tokenkeeper token smartling | cut -c1-40'
"$bin/tokenkeeper" token smartling | cut -c1-40
tk refresh --all
tk show wordpress
tk list --json
