# Invlog — every entry point a person or CI needs. Each target installs what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
# CI reuses a build cache outside the clone when one is there (faster, same result).
export CARGO_TARGET_DIR ?= $(if $(CI),$(HOME)/.cache/invlog-target,$(CURDIR)/target)
INVLOG := $(CARGO_TARGET_DIR)/release/invlog
DESKTOP := $(CARGO_TARGET_DIR)/release/invlog-desktop
export INVLOG_TOOLS ?= $(HOME)/.cache/invlog-tools
HAS_DISPLAY := $(DISPLAY)$(WAYLAND_DISPLAY)

.PHONY: deps ui build run test lint ui-check e2e desktop-test keyring-test faults fmt bench bindings clean package package-test

deps:
	@scripts/install-deps.sh

# The browser UI (ui/dist), which `invlog serve` embeds: build it before the CLI.
ui: deps
	cd ui && npm run --silent build

# The CLI (with the browser UI embedded) and the desktop app, release builds.
build: ui
	$(CARGO) build --release --locked --workspace --features invlog-desktop/custom-protocol

# The desktop app on the user's store (the platform's data dir; an empty store offers the
# sample data). Without a display, the same UI in browser mode: the URL is printed.
run: build
ifneq ($(HAS_DISPLAY),)
	$(DESKTOP)
else
	@echo "No display: serving the Invlog UI in browser mode; open this URL (Ctrl-C stops it):"
	@$(INVLOG) serve
endif

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The UI: types, lint, format, unit tests (before cargo, whose summary closes the run).
ui-check: deps
	cd ui && npm run --silent check && npm test --silent

# The browser UI in Debian's Chromium against a real `invlog serve` (needs the debug build
# that `cargo test` makes); writes screenshots to tests/screenshots/.
e2e:
	INVLOG=$(CARGO_TARGET_DIR)/debug/invlog node --test --test-concurrency=1 tests/e2e/

# The desktop app's real window under Xvfb, driven by tauri-driver (one suite at a time: it
# listens on fixed ports).
desktop-test: deps
	# The whole workspace, so features unify as in `cargo test` and its artifacts are reused.
	$(CARGO) build --locked --workspace --bins
	# A private session bus: a second launch finds the first window of its store there, never a
	# developer's own running Invlog.
	INVLOG=$(CARGO_TARGET_DIR)/debug/invlog INVLOG_DESKTOP=$(CARGO_TARGET_DIR)/debug/invlog-desktop \
	  TAURI_DRIVER=$(INVLOG_TOOLS)/bin/tauri-driver \
	  dbus-run-session -- node --test --test-concurrency=1 tests/desktop/

# kill -9 during an import, an export, a resolve and a re-run (a small file; `make bench` runs
# it with the 1M-row one).
faults:
	tests/faults/kill9.sh $(CARGO_TARGET_DIR)/debug/invlog 200000

# Connection secrets in GNOME Keyring, in a private session bus with a throwaway home (needs
# the debug build that `cargo test` makes).
keyring-test: deps
	tests/keyring/check.sh $(CARGO_TARGET_DIR)/debug/invlog

test: lint ui-check
	$(CARGO) test --workspace --locked
	$(MAKE) --no-print-directory keyring-test
	$(MAKE) --no-print-directory faults
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory desktop-test
	$(MAKE) --no-print-directory package-test

# The .deb (Invlog_<version>_amd64.deb) with Tauri's bundler; its path is the last line printed.
package: ui
	scripts/package.sh release

# The same package from debug builds (what the suite built, stripped), checked as installed.
package-test: ui
	tests/package/check.sh "$$(scripts/package.sh debug | tail -n 1)"

fmt:
	$(CARGO) fmt --all
	cd ui && npm run --silent format

# TypeScript types of the command table for the UI; `make test` fails while they are stale.
bindings:
	INVLOG_WRITE_BINDINGS=1 $(CARGO) test -q --locked -p invlog-app --test bindings

bench: build
	bench/run.sh

clean:
	$(CARGO) clean
