# Invlog — every entry point a person or CI needs. Each target installs what is missing first.
SHELL := /bin/bash
CARGO ?= cargo
# CI reuses a build cache outside the clone when one is there (faster, same result).
export CARGO_TARGET_DIR ?= $(if $(CI),$(HOME)/.cache/invlog-target,$(CURDIR)/target)
INVLOG := $(CARGO_TARGET_DIR)/release/invlog
DEMO_DB ?= $(HOME)/.local/share/invlog/invlog.db
EXAMPLES := ../shared/formats/examples

.PHONY: deps build run test lint ui-check fmt bench bindings clean

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release --locked -p invlog-cli

# Until the desktop shell lands: import the example files into the user's store and show them.
run: build
	@$(INVLOG) --db "$(DEMO_DB)" import $(EXAMPLES)/* || true
	@echo
	@$(INVLOG) --db "$(DEMO_DB)" query --limit 15
	@echo
	@echo "Store: $(DEMO_DB)   Try: $(INVLOG) --db $(DEMO_DB) query --filter 'status = failed'"

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The UI: types, lint, format, unit tests (before cargo, whose summary closes the run).
ui-check: deps
	cd ui && npm run --silent check && npm test --silent

test: lint ui-check
	$(CARGO) test --workspace --locked

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
