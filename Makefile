# The two commands a newcomer needs (README): `make demo` and `make test`. Only python3 is assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := .demo/store.db
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-fast lint bench pdf clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	rm -rf .demo
	$(BIN)/supervise demo --store $(DEMO)
	@echo
	@echo '$$ supervise contract show 7   (first lines)'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=demo-only-passphrase $(BIN)/supervise contract show 7 | head -n 26
	@echo
	@echo '$$ supervise person list --all --json   (first lines)'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=demo-only-passphrase $(BIN)/supervise person list --all --json | head -n 14
	@echo
	@echo '$$ supervise export review --child "Lena Kowalski" --out .demo/review && supervise verify .demo/review'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=demo-only-passphrase $(BIN)/supervise export review --child "Lena Kowalski" --out .demo/review
	@$(BIN)/supervise verify .demo/review
	@echo
	@echo '$$ supervise overdue'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=demo-only-passphrase $(BIN)/supervise overdue
	@echo
	@echo '$$ supervise doctor'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=demo-only-passphrase $(BIN)/supervise doctor
	@echo
	@echo '$$ supervise person list   (with a wrong passphrase: exit 3, nothing changed)'
	@SUPERVISE_STORE=$(DEMO) SUPERVISE_PASSPHRASE=not-the-passphrase $(BIN)/supervise person list; echo "exit code $$?"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check supervise tests benchmarks scripts
	$(BIN)/mypy supervise

# Both cores (pytest-xdist); tests sharing a costly fixture run on one worker (xdist_group).
PYTEST := $(BIN)/python -m pytest -n auto --dist loadgroup

test: lint
	$(PYTEST)

# The inner loop: everything but the tests marked slow (pty, real processes, LibreOffice,
# Hypothesis, the whole demo trust), which `make test` still runs.
test-fast: $(VENV)/.installed-test
	$(PYTEST) -m "not slow"

# Issue 21's figures, each beside its floor, into benchmarks/RESULTS.md (builds the large trust
# anew). BENCH=--quick: small and few, for development, writes nothing; BENCH=--cached reuses
# the large trust kept in benchmarks/.cache/.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(BENCH)

# Every export type as PDF through LibreOffice (headless), with page counts (needs soffice).
pdf: $(VENV)/.installed
	$(BIN)/python scripts/pdf_check.py

clean:
	rm -rf $(VENV) .demo .pdf-check .pytest_cache .ruff_cache
