# Invlog — every entry point a person or CI needs. Each target installs what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
# CI reuses a build cache outside the clone when one is there (faster, same result).
export CARGO_TARGET_DIR ?= $(if $(CI),$(HOME)/.cache/invlog-target,$(CURDIR)/target)
INVLOG := $(CARGO_TARGET_DIR)/release/invlog
DEMO_DB ?= $(HOME)/.local/share/invlog/invlog.db
EXAMPLES := ../shared/formats/examples

.PHONY: deps ui build run test lint ui-check e2e fmt bench bindings clean

deps:
	@scripts/install-deps.sh

# The browser UI (ui/dist), which `invlog serve` embeds: build it before the CLI.
ui: deps
	cd ui && npm run --silent build

build: ui
	$(CARGO) build --release --locked -p invlog-cli

# Until the desktop shell lands: the UI in the browser, on the user's store with the example
# logs loaded (re-importing them adds nothing), opened for you when there is a display.
# Ctrl-C stops it.
run: build
	@$(INVLOG) --db "$(DEMO_DB)" import $(EXAMPLES)/* >/dev/null || true
	@echo "Invlog is serving $(DEMO_DB); open this URL (Ctrl-C stops it):"
	@$(INVLOG) --db "$(DEMO_DB)" serve $(if $(DISPLAY)$(WAYLAND_DISPLAY),--open,)

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The UI: types, lint, format, unit tests (before cargo, whose summary closes the run).
ui-check: deps
	cd ui && npm run --silent check && npm test --silent

# The browser UI in Debian's Chromium against a real `invlog serve` (needs the debug build
# that `cargo test` makes); writes screenshots to tests/screenshots/.
e2e:
	INVLOG=$(CARGO_TARGET_DIR)/debug/invlog node --test tests/e2e/

test: lint ui-check
	$(CARGO) test --workspace --locked
	$(MAKE) --no-print-directory e2e

fmt:
	$(CARGO) fmt --all
	cd ui && npm run --silent format

# TypeScript types of the command table for the UI; `make test` fails while they are stale.
bindings:
	INVLOG_WRITE_BINDINGS=1 $(CARGO) test -q --locked -p invlog-core --test bindings

bench: build
	bench/run.sh

clean:
	$(CARGO) clean
