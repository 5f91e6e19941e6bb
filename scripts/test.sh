#!/usr/bin/env bash
# The one command that sets up and runs every test: installs system and npm packages, builds
# the UI and the workspace, lints, and runs every suite: the UI's logic (Vitest), the built UI
# in headless Chromium (playwright-core over mockIPC), the Rust suites against the real
# keychain and loopback emulators, the CLI against a real WordPress running the real JWT Auth
# Pro plugin (../shared/realwp; skipped with one line where absent), and the real desktop app
# end to end under Xvfb (WebDriver).
# Closes with one line counting every suite's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --e2e

echo "== the real WordPress with the real JWT Auth Pro plugin (../shared/realwp)" >&2
# Started before anything is built: its first start installs WordPress from Debian trixie,
# which moves libc6 under a running compiler.
scripts/realwp.sh --start

echo "== UI: type check and build" >&2
(cd ui && npm run --silent build >/dev/null && npm run --silent build:mock >/dev/null)

echo "== build" >&2
cargo build --workspace --all-targets --locked

echo "== lint" >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
shellcheck scripts/*.sh .ci/run
target/tools/ruff/bin/ruff check --quiet bench fuzz tests/e2e scripts
target/tools/ruff/bin/ruff format --check --quiet bench fuzz tests/e2e scripts
# No two modules of a crate import each other (ARCHITECTURE.md).
python3 scripts/module-cycles.py crates/*/src src-tauri/src tests/e2e/src
(cd ui && npm run --silent lint)
# The clipboard's branches for the platforms this machine cannot run.
cargo check -p tokenkeeper-clipboard --locked --target x86_64-pc-windows-gnu --target x86_64-apple-darwin

counts=$(mktemp "${TMPDIR:-/tmp}/tokenkeeper-counts.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/tokenkeeper-test.XXXXXX")
trap 'rm -f "$log" "$counts"' EXIT
status=0
set +e

echo "== UI logic (Vitest)" >&2
(cd ui && npx vitest run --reporter=default 2>&1) | tee "$log"
((PIPESTATUS[0])) && status=1
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/^ *Tests /{ for (i = 1; i <= NF; i++) { if ($i == "passed") p = $(i-1); if ($i == "failed") f = $(i-1) } }
  END { print p + 0, f + 0 }' >>"$counts"

echo "== UI in headless Chromium (playwright-core, mockIPC)" >&2
(cd ui && node --test tests/browser/ 2>&1) | tee "$log"
((PIPESTATUS[0])) && status=1
awk '/^# pass /{ p = $3 } /^# fail /{ f = $3 } END { print p + 0, f + 0 }' "$log" >>"$counts"

cargo_counts() {
  awk '/^test result:/ { for (i = 2; i <= NF; i++) { if ($i == "passed;") p += $(i-1); if ($i == "failed;") f += $(i-1) } }
       END { print p + 0, f + 0 }' "$1"
}

echo "== Rust (private D-Bus session, throwaway gnome-keyring)" >&2
# (The end-to-end tests are listed as ignored here: the next step runs them.)
scripts/with-keyring.sh cargo test --workspace --all-targets --locked --no-fail-fast 2>&1 | tee "$log"
((PIPESTATUS[0])) && status=1
cargo_counts "$log" >>"$counts"

echo "== the CLI against the real JWT Auth Pro server (../shared/realwp)" >&2
scripts/realwp.sh 2>&1 | tee "$log"
((PIPESTATUS[0])) && status=1
cargo_counts "$log" >>"$counts"

echo "== the desktop app end to end (Xvfb, tauri-driver + WebKitWebDriver)" >&2
scripts/e2e.sh 2>&1 | tee "$log"
((PIPESTATUS[0])) && status=1
cargo_counts "$log" >>"$counts"

echo "== install check (.deb with apt, .rpm metadata and files)" >&2
scripts/package-check.sh 2>&1 | tee "$log"
((PIPESTATUS[0])) && status=1
awk '/^package checks:/ { p = $3; f = $5 } END { print p + 0, f + 0 }' "$log" >>"$counts"

set -e
# One closing line for the whole run (each runner prints its own).
awk '{ p += $1; f += $2 } END { printf "tests: %d passed, %d failed\n", p, f }' "$counts"
exit "$status"
