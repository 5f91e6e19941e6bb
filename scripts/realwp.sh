#!/usr/bin/env bash
# The real-server suite: starts the real WordPress with the real JWT Auth Pro plugin
# (../shared/realwp, or $REALWP_KIT) on loopback and runs the CLI against it
# (crates/tokenkeeper-cli/tests/realwp), one test at a time, in a private keyring session.
# Where the kit is absent, says so in one line and succeeds: the rest of the suite runs.
# Extra arguments go to the test binary (a test name, --nocapture).
set -euo pipefail
cd "$(dirname "$0")/.."

kit=${REALWP_KIT:-$(cd .. && pwd)/shared/realwp}
if [ ! -x "$kit/setup.sh" ]; then
  echo "realwp: no real WordPress kit at $kit: the real-server suite is skipped"
  exit 0
fi
export REALWP_KIT=$kit
# The suite's lifetimes: tests that need others restart the kit with them and put these back.
export REALWP_JWT_TTL=120 REALWP_REFRESH_TTL=3600
"$kit/setup.sh" >&2
scripts/with-keyring.sh cargo test -p tokenkeeper-cli --test realwp --locked -- --ignored --test-threads=1 "$@"
