#!/usr/bin/env bash
# Builds the .deb with Tauri's own bundler (its prebuilt CLI from ui/node_modules, nothing
# downloaded): the desktop app with its menu entry, icons and file associations, and the invlog
# CLI with its completions and man pages. `release` (make package) or `debug` (make test: it
# reuses the suite's builds); both strip the binaries, as a package ships them.
set -euo pipefail
mode=${1:-release}
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
out=$root/packaging/out
cargo_mode=()
tauri_mode=()
if [ "$mode" = release ]; then cargo_mode=(--release); else tauri_mode=(--debug); fi

cargo build --locked -p invlog-cli "${cargo_mode[@]}"
rm -rf "$out"
mkdir -p "$out"
install -m 755 "$target/$mode/invlog" "$out/invlog"
strip --strip-unneeded "$out/invlog"
"$out/invlog" completions bash >"$out/invlog.bash"
"$out/invlog" completions zsh >"$out/_invlog"
"$out/invlog" completions fish >"$out/invlog.fish"
"$out/invlog" manpage | gzip -9n >"$out/invlog.1.gz"
gzip -9n <packaging/changelog >"$out/changelog.gz"

tauri=$root/ui/node_modules/.bin/tauri
# Tauri's CLI reads CI as its --ci flag and takes true or false only; CI services also set 1.
case "${CI-unset}" in
  unset | true | false) ;;
  "") unset CI ;;
  *) export CI=true ;;
esac
# The app first, then its man page and stripping, then the bundle of what was built.
"$tauri" build "${tauri_mode[@]}" --no-bundle --config packaging/tauri.deb.json
desktop=$target/$mode/invlog-desktop
"$desktop" --manpage | gzip -9n >"$out/invlog-desktop.1.gz"
strip --strip-unneeded "$desktop"
"$tauri" bundle "${tauri_mode[@]}" --bundles deb --config packaging/tauri.deb.json
deb=$(ls -t "$target/$mode/bundle/deb/"*.deb | head -n 1)
echo "$deb"
