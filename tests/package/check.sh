#!/usr/bin/env bash
# The .deb as a user gets it: its control fields, its contents (desktop entry, icons, MIME
# types, the CLI, completions, man pages, copyright), lintian without errors, and the CLI
# extracted from it running an import. Usage: tests/package/check.sh PATH.deb
set -euo pipefail
deb=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
fail() {
  echo "package check: $*" >&2
  exit 1
}

info=$(dpkg-deb -I "$deb")
grep -q '^ Package: invlog$' <<<"$info" || fail "package name: $info"
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
grep -q 'libwebkit2gtk-4.1-0' <<<"$depends" || fail "Depends lacks the WebKitGTK runtime: $depends"
grep -q -- '-dev' <<<"$depends" && fail "Depends names a -dev package: $depends"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./##')
for path in \
  usr/bin/invlog usr/bin/invlog-desktop \
  usr/share/applications/Invlog.desktop \
  usr/share/icons/hicolor/{32x32,128x128,256x256,512x512}/apps/invlog-desktop.png \
  usr/share/man/man1/invlog.1.gz usr/share/man/man1/invlog-desktop.1.gz \
  usr/share/bash-completion/completions/invlog \
  usr/share/zsh/vendor-completions/_invlog \
  usr/share/fish/vendor_completions.d/invlog.fish \
  usr/share/doc/invlog/copyright usr/share/doc/invlog/changelog.gz; do
  grep -qxF "$path" <<<"$contents" || fail "missing $path; it holds:
$contents"
done

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
entry=$(cat "$root/usr/share/applications/Invlog.desktop")
for mime in text/csv application/vnd.openxmlformats-officedocument.spreadsheetml.sheet \
  application/vnd.ms-excel application/vnd.oasis.opendocument.spreadsheet application/json \
  application/x-ndjson; do
  grep -q "^MimeType=.*$mime;" <<<"$entry" || fail "the desktop entry does not open $mime"
done
grep -q '^Exec=invlog-desktop %F$' <<<"$entry" || fail "the desktop entry's Exec: $entry"

# The extracted CLI: its version, and an import into a store of its own.
"$root/usr/bin/invlog" --db "$root/t.db" --version | grep -q '^invlog [0-9]' || fail "--version"
"$root/usr/bin/invlog" --db "$root/t.db" import --json \
  "$here/../shared/formats/examples/konnect-inventory-logs.csv" >"$root/report.json"
grep -q '"rows_imported": *12' "$root/report.json" || fail "import: $(cat "$root/report.json")"
"$root/usr/bin/invlog" --db "$root/t.db" --version | grep -q ': schema [0-9]*$' || fail "schema"

# lintian: no errors (warnings are listed for the record).
lintian --fail-on error --no-tag-display-limit "$deb"
echo "package check: $deb passed"
