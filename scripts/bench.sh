#!/usr/bin/env bash
# Runs every benchmark on a release build and prints the figures BENCHMARKS.md records.
# Takes about 20 minutes; run it on an otherwise idle machine.
#   scripts/bench.sh            all of them
#   scripts/bench.sh quick      smaller runs (a minute), to check the benchmarks themselves work
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh hyperfine python3
# Three builds, each binary built once: the app and the CLI together, as scripts/package.sh
# builds them (a different package set would unify other features and rebuild them).
cargo build --quiet --release --locked -p tokenkeeper-bench -p tokenkeeper-emulators
cargo build --quiet --release --locked -p tokenkeeper-app -p tokenkeeper-cli -p tokenkeeper-background
cargo build --quiet --release --locked -p bare-tauri
bin=target/release

if [ "${1:-}" = quick ]; then
  scale=(--accounts 1000 --lifetime 60 --seconds 30); idle=(--accounts 100 --lifetime 3600 --seconds 10)
else
  scale=(--accounts 10000 --lifetime 60 --seconds 300); idle=(--accounts 100 --lifetime 3600 --seconds 60)
fi

echo "## machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
echo "## scale"; "$bin/tokenkeeper-bench" scale "${scale[@]}"
echo "## idle"; "$bin/tokenkeeper-bench" idle "${idle[@]}"
echo "## overview"; "$bin/tokenkeeper-bench" overview --accounts 10000 --runs 20
echo "## keychain"; scripts/with-keyring.sh "$bin/tokenkeeper-bench" keychain --ops 200
echo "## tokenkeeper token vs curl"; scripts/with-keyring.sh scripts/bench-cli.sh "$bin"
echo "## desktop app vs a bare Tauri window"
[ "${1:-}" = quick ] && export DESKTOP_RUNS=2 DESKTOP_IDLE=10
scripts/bench-desktop.sh "$bin"
echo "## the window with 200 accounts against 5"
[ "${1:-}" = quick ] && export ACCOUNTS_ROUNDS=1 ACCOUNTS_IDLE=10
scripts/bench-accounts.sh "$bin"
