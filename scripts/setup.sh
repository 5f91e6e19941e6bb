#!/usr/bin/env bash
# Installs what TokenKeeper needs to build, run and test on Debian 12 (run as root, or with sudo
# available), plus any packages named as arguments: the Debian packages (WebKitGTK and friends
# for the desktop app, Xvfb, WebKitWebDriver, Chromium and a notification listener for the
# tests), the UI's npm packages (ui/package-lock.json) and, with --e2e, tauri-driver. Skips
# what is already present, so repeated runs take a second.
set -euo pipefail
cd "$(dirname "$0")/.."

e2e=0
extra=()
for arg in "$@"; do
  case "$arg" in
    --e2e) e2e=1 ;;
    *) extra+=("$arg") ;;
  esac
done

packages=(
  build-essential pkg-config curl ca-certificates openssl file shellcheck
  # The Python helpers' linter (ruff, from PyPI into a venv of its own).
  python3 python3-venv
  dbus dbus-daemon dbus-bin dbus-x11 gnome-keyring libsecret-tools
  # The desktop app's window (Tauri 2 on WebKitGTK 4.1); the tray needs no library (D-Bus).
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev
  libssl-dev
  # The UI's tests (Debian's Chromium, driven by playwright-core).
  chromium
  # End-to-end tests: a virtual display, WebKit's WebDriver, the clipboard and notifications.
  xvfb xauth x11-utils webkit2gtk-driver xclip python3-dbusmock python3-xlib
  # Copy on Wayland without XWayland: a headless wlroots compositor and the other program.
  sway wl-clipboard
  # Windows from here: the mingw-w64 C compiler and linker (ring, the Wine shim) and Wine,
  # which runs the Windows CLI in the test command (scripts/wine.sh); the installer's maker
  # and 7-Zip, which lists what an installer holds (scripts/windows-install-check.sh).
  gcc-mingw-w64-x86-64 wine64 nsis p7zip-full
  # macOS type checks: a C compiler for Apple's targets (ring) and its archiver.
  clang llvm
  "${extra[@]}"
)

# Node.js for the UI's build: Debian's own when none is installed (Vite 7 needs 20.19 or later).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    # The real WordPress kit (../shared/realwp) installs WordPress from Debian trixie, which
    # moves libc6 and a few libraries to trixie's versions; bookworm's -dev packages then no
    # longer fit. Take the missing packages from trixie too (scripts/test.sh runs this script
    # before the kit, so CI never needs this).
    if compgen -G "/etc/apt/sources.list.d/*trixie*" >/dev/null; then
      echo "setup: bookworm's packages no longer fit (the realwp kit moved libraries to trixie); taking them from trixie" >&2
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends -t trixie "${missing[@]}" >/dev/null
    else
      exit 1
    fi
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust (https://rustup.rs) and run again" >&2
  exit 1
fi

# Windows is built and run under Wine, macOS type-checked (scripts/test.sh): the standard
# library of those targets, from rustup.
if command -v rustup >/dev/null 2>&1; then
  for target in x86_64-pc-windows-gnu x86_64-apple-darwin aarch64-apple-darwin; do
    if ! rustup target list --installed | grep -qx "$target"; then
      echo "setup: adding the Rust target $target (type checks only)" >&2
      rustup target add "$target" >/dev/null
    fi
  done
else
  echo "setup: rustup not found; the Windows and macOS type checks will fail (install Rust with rustup)" >&2
fi

node_ok=$(node -e 'const [a, b] = process.versions.node.split(".").map(Number); console.log(a > 20 || (a === 20 && b >= 19) ? 1 : 0)')
if [ "$node_ok" != 1 ]; then
  echo "setup: Node.js $(node --version) is too old for the UI's build; install Node 20.19 or later" >&2
  exit 1
fi

# The npm packages, exactly as locked (skipped when node_modules matches the lock): the UI's,
# and the certified OpenID Provider the OAuth 2.0 suite runs (tests/oidc).
for dir in ui tests/oidc; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/.installed-lock" 2>/dev/null; then
    echo "setup: installing the npm packages of $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    cp "$dir/package-lock.json" "$dir/.installed-lock"
  fi
done

# ruff for the Python helpers (bench/, fuzz/, tests/e2e, scripts), pinned, in its own venv.
RUFF_VERSION=0.17.5
ruff=target/tools/ruff/bin/ruff
if ! "$ruff" --version 2>/dev/null | grep -qx "ruff $RUFF_VERSION"; then
  echo "setup: installing ruff $RUFF_VERSION" >&2
  python3 -m venv target/tools/ruff
  target/tools/ruff/bin/pip install --quiet --disable-pip-version-check "ruff==$RUFF_VERSION" >&2
fi

if ((e2e)) && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver" >&2
  cargo install tauri-driver --version '^2' --locked --quiet
fi
