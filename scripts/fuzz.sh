#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target in fuzz/ for SECONDS each (default 120), FUZZ_JOBS at a time
# (default 2), starting from and adding to the committed corpus (fuzz/corpus/<target>), then
# minimises the corpus. Prints executions per target; a crash, hang or panic stops with its
# input in fuzz/artifacts/<target>/. Needs the nightly toolchain; installs cargo-fuzz if missing.
# The corpus is replayed in the normal test suite (crates/tokenkeeper-fuzzing/tests/replay.rs).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (or FUZZ_RUNS=N scripts/fuzz.sh 0 [TARGET...])
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-120}
shift || true
jobs=${FUZZ_JOBS:-2}
# FUZZ_RUNS=N: stop each target after N executions instead of after SECONDS.
if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$secs"; fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
[ -d fuzz/corpus ] || (cd fuzz && python3 seeds/make_seeds.py)

# No sanitizer: the code is safe Rust, and it multiplies the executions per second; debug
# assertions (overflow checks) stay on.
cargo +nightly fuzz build -s none
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo +nightly fuzz list)

logs=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-fuzz.XXXXXX")
# shellcheck disable=SC2317  # called through xargs (export -f)
run_one() {
  local target=$1 limit=$2 logs=$3
  mkdir -p "fuzz/corpus/$target"
  if cargo +nightly fuzz run -s none "$target" "fuzz/corpus/$target" -- \
      "$limit" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$logs/$target.log" 2>&1; then
    echo ok >"$logs/$target.status"
  else
    echo FAILED >"$logs/$target.status"
  fi
}
export -f run_one
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$limit" "$logs"

failed=0
printf '%-26s %14s %12s %8s  %s\n' TARGET EXECUTIONS EXEC/S CORPUS RESULT
for target in "${targets[@]}"; do
  log="$logs/$target.log"
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  status=$(cat "$logs/$target.status")
  if [ "$status" = ok ]; then
    cargo +nightly fuzz cmin -s none "$target" "fuzz/corpus/$target" >/dev/null 2>&1 || true
  else
    failed=1
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -n 8 >&2
  fi
  printf '%-26s %14s %12s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" \
    "$(find "fuzz/corpus/$target" -type f | wc -l)" "$status"
done
rm -rf "$logs"
exit "$failed"
