# sdkgen — the two commands a newcomer needs: `make regenerate` and `make test`.
# Every target builds the virtualenv in .venv/ first when it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv regenerate check-generated test fuzz lint typecheck ir lock clean update-fixtures

help:
	@echo "make regenerate       regenerate generated/ from specs/ + templates/"
	@echo "make test             the whole test suite (includes check-generated, ruff, mypy)"
	@echo "make fuzz             spec and wire fuzzing for FUZZ_SECONDS (default 600); prints what was tried"
	@echo "make check-generated  fail with a diff when generated/ is stale"
	@echo "make lint             ruff on the generator, tests and generated/"
	@echo "make typecheck        mypy --strict on the generator and generated/"
	@echo "make ir               print the flagship IR as JSON"
	@echo "make update-fixtures  regenerate the golden trees of the fixture specs (tests/fixtures/expected)"
	@echo "make lock             re-pin requirements.lock from the current venv"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

regenerate: $(STAMP)
	$(BIN)/sdkgen generate

check-generated: $(STAMP)
	$(BIN)/sdkgen check

ir: $(STAMP)
	@$(BIN)/sdkgen ir

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	cd generated && ../$(BIN)/ruff check . && ../$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict generator
	cd generated && ../$(BIN)/mypy --strict coinbase_sdk

test: $(STAMP)
	$(BIN)/python -m pytest

# The fuzz tests run a bounded number of examples in `make test`; here they draw fresh random
# examples until FUZZ_SECONDS of wall-clock time is used (specs 60%, wire 40%), then print counts.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	SDKGEN_FUZZ=1 FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q --timeout=0 tests/test_fuzz_specs.py tests/test_fuzz_wire.py

update-fixtures: $(STAMP)
	$(BIN)/python -m tests.fixture_specs

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Every package of the development environment, pinned. Regenerate with: make lock' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Benchmark (not part of `make test`): per-call overhead of the generated SDK against raw httpx and
# openapi-python-client, measured in the same run. It has its own virtualenv, bench/.venv, pinned by
# bench/requirements.lock, so the comparison baseline stays out of requirements.lock. See bench/README.md.
BENCH_VENV := bench/.venv
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_ARGS ?=
.PHONY: bench

$(BENCH_STAMP): bench/requirements.lock
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.lock
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)
