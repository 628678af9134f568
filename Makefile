# VLM Checkpoint Kit — set-up and main jobs. `make demo` and `make test` work on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: install demo test lint release-check audit bench sandbox-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# bubblewrap sandboxes learner kernels during grading; without it the kit warns and falls back.
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1)) || \
	  echo "warning: could not install bubblewrap; grading will run without a filesystem sandbox"; }

install: $(STAMP) sandbox-deps

demo: install
	$(BIN)/vlmkit demo

test: install
	$(BIN)/python -m pytest

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
