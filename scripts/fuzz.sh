#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target in fuzz/ for SECONDS each (default 120), FUZZ_JOBS at a time
# (default 2). Each target starts from the committed seeds (fuzz/seeds/<target>) and
# regressions (fuzz/regressions/<target>) plus the local corpus (fuzz/corpus/<target>, not in
# git, created when missing), which is the only folder libFuzzer adds new inputs to and which
# is minimised afterwards. Prints executions per target; a crash, hang or panic stops with its
# input in fuzz/artifacts/<target>/. Needs the nightly toolchain; installs cargo-fuzz if missing.
# The seeds and regressions (and the local corpus, when there is one) are replayed in the normal
# test suite (crates/tokenkeeper-fuzzing/tests/replay.rs).
#
# --reseed re-picks fuzz/seeds/<target> from the local corpus and the current seeds: the fewest
# inputs that cover every edge of our own code (crates/tokenkeeper-*) they reach
# (fuzz/pick_seeds.py; needs python3 and llvm-symbolizer). Run it after a long run, then commit.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (or FUZZ_RUNS=N scripts/fuzz.sh 0 [TARGET...])
#        scripts/fuzz.sh --reseed [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

reseed=0
if [ "${1:-}" = --reseed ]; then
  reseed=1
  shift
else
  secs=${1:-120}
  shift || true
fi
jobs=${FUZZ_JOBS:-2}
# FUZZ_RUNS=N: stop each target after N executions instead of after SECONDS.
if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=${secs:-120}"; fi

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# No sanitizer: the code is safe Rust, and it multiplies the executions per second; debug
# assertions (overflow checks) stay on.
cargo +nightly fuzz build -s none
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo +nightly fuzz list)

if ((reseed)); then
  host=$(rustup run nightly rustc -vV | sed -n 's/^host: //p')
  work=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-reseed.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  for target in "${targets[@]}"; do
    bin="fuzz/target/$host/release/$target"
    mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target" "$work/$target"
    # Runs every input once and writes each one's features (edges and hit counts) to the
    # control file; pick_seeds.py keeps those of our code. (The merged folder is not used.)
    if ! "$bin" -set_cover_merge=1 -merge_control_file="$work/$target.control" \
        -timeout=5 -rss_limit_mb=2048 "$work/$target" \
        "fuzz/corpus/$target" "fuzz/seeds/$target" >"$work/$target.log" 2>&1; then
      tail -n 20 "$work/$target.log" >&2
      exit 1
    fi
    picked=$(python3 fuzz/pick_seeds.py "$bin" "$work/$target.control" "fuzz/seeds/$target")
    printf '%-26s %s\n' "$target" "$picked"
  done
  exit 0
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/tokenkeeper-fuzz.XXXXXX")
# shellcheck disable=SC2317  # called through xargs (export -f)
run_one() {
  local target=$1 limit=$2 logs=$3
  mkdir -p "fuzz/corpus/$target"
  # libFuzzer writes new inputs to the first folder only.
  if cargo +nightly fuzz run -s none "$target" \
      "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/regressions/$target" -- \
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
