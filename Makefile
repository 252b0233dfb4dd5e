# sdkgen — the two commands a newcomer needs: `make regenerate` and `make test`.
# Every target builds the virtualenv in .venv/ first when it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv regenerate check-generated test fuzz lint typecheck ir lock clean update-fixtures diff release publish

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
	@echo "make diff [BASE=rev]  API changes of the working-tree specs against BASE (default HEAD), breaking first"
	@echo "make release [VERSION=x.y.z]  bump the SDK version (default: what the diff proposes) and prepend CHANGELOG.md"
	@echo "make publish          build, twine-check and upload generated/ to \$$TWINE_REPOSITORY_URL"
	@echo "make bench            issue-7 benchmarks: per call, import, generation (bench/README.md; BENCH_ARGS=...)"
	@echo "make corpus [N=50 SEED=1]  a seeded sample of the APIs.guru specs through sdkgen; pass rate"

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

# templates/runtime/ and plugins/ are copied into SDKs byte for byte: each folder's ruff.toml holds the
# generated SDK's settings, so what passes here is exactly what the SDK's own ruff leaves unchanged.
lint: $(STAMP)
	$(BIN)/ruff check generator tests bench templates/runtime plugins
	$(BIN)/ruff format --check generator tests bench templates/runtime plugins
	cd generated && ../$(BIN)/ruff check . && ../$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict generator
	cd generated && ../$(BIN)/mypy --strict coinbase_sdk

# Real JSON-RPC peers for the tests (@open-rpc/mock-server and the @open-rpc/examples documents),
# pinned by tests/npm/package-lock.json and installed from the npm registry.
NPM_STAMP := tests/npm/node_modules/.installed

$(NPM_STAMP): tests/npm/package-lock.json
	npm ci --prefix tests/npm --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

test: $(STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest

# Review and release (see README: "Updating a spec, reviewing, releasing").
BASE ?= HEAD
DIST ?= dist

diff: $(STAMP)
	$(BIN)/sdkgen diff $(BASE)

release: $(STAMP)
	$(BIN)/sdkgen release $(if $(VERSION),--version $(VERSION)) $(if $(SINCE),--since $(SINCE)) $(if $(FORCE),--force)

# Uploads to the index named by twine's own variables: TWINE_REPOSITORY_URL, TWINE_USERNAME and
# TWINE_PASSWORD (or an API token as the password with TWINE_USERNAME=__token__). There is no default
# index on purpose: a release goes where it was told to go, never to pypi.org by accident.
publish: $(STAMP)
	@test -n "$$TWINE_REPOSITORY_URL" || { echo "error: set TWINE_REPOSITORY_URL (and TWINE_USERNAME, TWINE_PASSWORD) to the package index to upload to" >&2; exit 1; }
	$(BIN)/sdkgen check
	rm -rf $(DIST)
	$(BIN)/python -m build --no-isolation --sdist --wheel --outdir $(DIST) generated
	$(BIN)/twine check --strict $(DIST)/*
	$(BIN)/twine upload --non-interactive --disable-progress-bar $(DIST)/*
# The fuzz tests run a bounded number of examples in `make test`; here they draw fresh random
# examples until FUZZ_SECONDS of wall-clock time is used (specs 60%, wire 40%), then print counts.
# The models' differential test against datamodel-code-generator then adds OpenAI and drawn specs
# for another 20% of FUZZ_SECONDS.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	SDKGEN_FUZZ=1 FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q --timeout=0 tests/test_fuzz_specs.py tests/test_fuzz_wire.py tests/test_models_reference.py

update-fixtures: $(STAMP)
	$(BIN)/python -m tests.fixture_specs

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Every package of the development environment, pinned. Regenerate with: make lock' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (not part of `make test`), issue 7: per-call client overhead, import time and generation
# time/memory against raw httpx, openapi-python-client and datamodel-codegen, measured in the same run;
# and a seeded sample of the APIs.guru collection. They have their own virtualenv, bench/.venv, pinned by
# bench/requirements.lock, so the baselines stay out of requirements.lock; the real-world specs are npm
# packages pinned by bench/package-lock.json, installed once into bench/node_modules. See bench/README.md.
BENCH_VENV := bench/.venv
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_SPECS := bench/node_modules/.installed
BENCH_ARGS ?=
N ?= 50
SEED ?= 1
CORPUS_ARGS ?=
.PHONY: bench bench-calls bench-import bench-generate bench-specs corpus

$(BENCH_STAMP): bench/requirements.lock
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements.lock
	@touch $(BENCH_STAMP)

$(BENCH_SPECS): bench/package-lock.json
	npm ci --prefix bench --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(BENCH_SPECS)

bench-specs: $(BENCH_SPECS)

bench: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)

bench-calls: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench --section calls $(BENCH_ARGS)

bench-import: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench --section import $(BENCH_ARGS)

bench-generate: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench --section generation $(BENCH_ARGS)

corpus: $(STAMP) $(BENCH_SPECS)
	$(BIN)/python -m bench.corpus --n $(N) --seed $(SEED) $(CORPUS_ARGS)
