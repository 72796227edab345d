#!/usr/bin/env bash
# Installs what building, testing and benchmarking Invlog needs, and only what is missing:
# Debian packages are installed only when dpkg says they are absent, so a second run is quick.
set -euo pipefail

# Packages the core, the CLI and the benchmarks need (sqlite3 and GNU time are the
# benchmarks' reference and stopwatch; python3-venv holds DuckDB, another reference).
packages=(build-essential pkg-config sqlite3 time python3 python3-venv)
# The end-to-end tests' browser, and fonts for the scripts the sample logs use (Devanagari, emoji).
packages+=(chromium fonts-dejavu-core fonts-lohit-deva fonts-noto-color-emoji)
# The desktop app (Tauri 2 on WebKitGTK) and its real-window tests (an X server without a screen,
# and the WebDriver of WebKitGTK that tauri-driver drives).
packages+=(libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  xvfb xauth webkit2gtk-driver)
# A private D-Bus session for the desktop tests (one window per store is found on the bus), and
# the package's checks (dpkg-deb is in dpkg).
packages+=(dbus-daemon lintian)
# Connection secrets: the Secret Service client builds on libdbus; its test runs GNOME Keyring.
packages+=(libdbus-1-dev gnome-keyring)
# The UI's toolchain, unless a Node.js is already on the PATH.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "install-deps: cargo is missing; install Rust (https://rustup.rs) and run again" >&2
  exit 1
fi
for tool in rustfmt cargo-clippy; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    rustup component add "${tool#cargo-}"
  fi
done

# Crates: fetched once, then builds work offline.
cargo fetch --locked -q

# tauri-driver, which drives the desktop app's window in the tests; built once into a cache
# outside the clone.
tools="${INVLOG_TOOLS:-$HOME/.cache/invlog-tools}"
if [ ! -x "$tools/bin/tauri-driver" ]; then
  echo "install-deps: building tauri-driver into $tools"
  cargo install -q --locked tauri-driver --version '^2' --root "$tools"
fi

# UI packages, exactly as locked; again only when the lockfile changed since the last install.
ui="$(dirname "$0")/../ui"
if [ ! -f "$ui/node_modules/.package-lock.json" ] || [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
  (cd "$ui" && npm ci --no-audit --no-fund --loglevel=error)
fi
