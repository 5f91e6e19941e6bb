#!/usr/bin/env bash
# The one command that sets up and runs TokenKeeper's demo: builds, starts the five loopback
# emulators, adds one account per API to a throwaway config dir (secrets in a throwaway
# keyring), and shows tokens being obtained and refreshed. Needs no real account.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo build --quiet --bin tokenkeeper --bin tokenkeeper-emulators
exec scripts/with-keyring.sh scripts/demo-cli.sh
