#!/usr/bin/env bash
# Installs what TokenKeeper needs to build, run and test on Debian 12 (run as root, or with sudo
# available), plus any packages named as arguments. Skips packages already present, so repeated
# runs take a second.
set -euo pipefail

packages=(
  build-essential pkg-config curl ca-certificates openssl
  dbus dbus-daemon dbus-bin dbus-x11 gnome-keyring libsecret-tools
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust (https://rustup.rs) and run again" >&2
  exit 1
fi
