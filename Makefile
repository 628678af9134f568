# VLM Checkpoint Kit — set-up and main jobs. `make demo` and `make test` work on a fresh machine.
# The system Python where there is one: other accounts (the course hub's servers, grading's
# per-run uid) must reach the environment, and a Python under a private home (/root) they cannot.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed
# JupyterHub's proxy (`vlmkit hub`), from npm, inside the environment
HUB_PROXY = $(VENV)/hub-proxy/node_modules/.bin/configurable-http-proxy

.PHONY: install lab demo test test-fast lint release-check audit bench sandbox-deps browser-deps hub-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# apt-get install a Debian package unless its command is there: $(1) command, $(2) package,
# $(3) what goes without it. Updates the package lists only when a first try fails.
define apt_install
@command -v $(1) >/dev/null 2>&1 || { \
  (apt-get install -y -qq $(2) >/dev/null 2>&1 || \
   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $(2) >/dev/null 2>&1)) || \
  echo "warning: could not install $(2); $(3)"; }
endef

# bubblewrap sandboxes learner kernels during grading; without it the kit warns and falls back.
sandbox-deps:
	$(call apt_install,bwrap,bubblewrap,grading will run without a filesystem sandbox)

# The browser tests drive Debian's chromium (Playwright's own browser download needs the network).
browser-deps:
	$(call apt_install,chromium,chromium,the browser tests will fail)

$(HUB_PROXY): | $(STAMP)
	$(call apt_install,npm,npm,`vlmkit hub` will not find its proxy)
	npm install --prefix $(VENV)/hub-proxy --no-audit --no-fund --loglevel=error configurable-http-proxy

hub-deps: $(HUB_PROXY)

install: $(STAMP) sandbox-deps browser-deps hub-deps

# JupyterLab on the learner notebooks, nbgrader's exchange pages hidden, `vlmkit` in its terminals.
lab: install
	$(BIN)/vlmkit lab

demo: install
	$(BIN)/vlmkit demo

test: install
	$(BIN)/python -m pytest

# Unit and quick tests for daily work (no sandbox, browser or slow test): see the markers in pyproject.toml.
test-fast: install
	$(BIN)/python -m pytest -m "not sandbox and not browser and not slow"

lint: install
	$(BIN)/ruff check src tests benchmarks autograder

release-check: install
	$(BIN)/vlmkit release --check

# Mutation testing of the grader over every question (minutes); `make test` runs a seeded sample.
audit: install
	$(BIN)/vlmkit audit --jobs 2

bench: install
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf $(VENV) out
