#!/usr/bin/env bash
# The real-server suite: starts the real WordPress with the real JWT Auth Pro plugin
# (../shared/realwp, or $REALWP_KIT) on loopback and runs the CLI against it
# (crates/tokenkeeper-cli/tests/realwp), one test at a time, in a private keyring session.
# Where the kit is absent, says so in one line and succeeds: the rest of the suite runs.
#   scripts/realwp.sh --start    only start the kit (its first run installs packages with apt,
#                                which scripts/test.sh does before anything is built)
#   scripts/realwp.sh [ARGS]     start it and run the suite; ARGS go to the test binary
set -euo pipefail
cd "$(dirname "$0")/.."

kit=${REALWP_KIT:-$(cd .. && pwd)/shared/realwp}
if [ ! -x "$kit/setup.sh" ]; then
  echo "realwp: no real WordPress kit at $kit: the real-server suite is skipped"
  exit 0
fi
export REALWP_KIT=$kit
# The suite's lifetimes: a test that needs others restarts the kit with them and puts these back.
export REALWP_JWT_TTL=120 REALWP_REFRESH_TTL=3600
"$kit/setup.sh" >&2
if [ "${1:-}" = --start ]; then
  exit 0
fi
# --workspace: the feature set of the test command's build, so nothing is rebuilt.
scripts/with-keyring.sh cargo test --workspace --locked --test realwp -- --ignored --test-threads=1 "$@"
