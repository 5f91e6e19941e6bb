#!/usr/bin/env bash
# Runs every benchmark on a release build and prints the figures BENCHMARKS.md records.
# Takes about 10 minutes; run it on an otherwise idle machine.
#   scripts/bench.sh            all of them
#   scripts/bench.sh quick      smaller runs (a minute), to check the benchmarks themselves work
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh hyperfine python3
cargo build --quiet --release -p tokenkeeper-bench -p tokenkeeper-emulators -p tokenkeeper-cli
bin=target/release

if [ "${1:-}" = quick ]; then
  scale=(--accounts 1000 --lifetime 60 --seconds 30); idle=(--accounts 100 --lifetime 3600 --seconds 10)
else
  scale=(--accounts 10000 --lifetime 60 --seconds 300); idle=(--accounts 100 --lifetime 3600 --seconds 60)
fi

echo "## machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
echo "## scale"; "$bin/tokenkeeper-bench" scale "${scale[@]}"
echo "## idle"; "$bin/tokenkeeper-bench" idle "${idle[@]}"
echo "## keychain"; scripts/with-keyring.sh "$bin/tokenkeeper-bench" keychain --ops 200
echo "## tokenkeeper token vs curl"; scripts/with-keyring.sh scripts/bench-cli.sh "$bin"
echo "## desktop app vs a bare Tauri window"
cargo build --quiet --release --locked -p tokenkeeper-app -p bare-tauri
[ "${1:-}" = quick ] && export DESKTOP_RUNS=2 DESKTOP_IDLE=10
scripts/bench-desktop.sh "$bin"
