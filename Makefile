# sdkgen — the two commands a newcomer needs: `make regenerate` and `make test`.
# Every target builds the virtualenv in .venv/ first when it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv regenerate check-generated test test-fast fuzz lint typecheck ir lock clean update-fixtures diff release publish

help:
	@echo "make regenerate       regenerate generated/ from specs/ + templates/"
	@echo "make test             the whole test suite, on every core (includes check-generated, ruff, mypy)"
	@echo "make test-fast        the suite without the tests marked slow (fuzzing, real peers, real specs)"
	@echo "make fuzz             spec and wire fuzzing for FUZZ_SECONDS (default 600); prints what was tried"
	@echo "make check-generated  fail with a diff when generated/ is stale"
	@echo "make drift            the hand-written gateway spec against Deribit's OpenAPI: every difference needs a reason"
	@echo "make lint             ruff on the generator, tests and generated/"
	@echo "make typecheck        mypy --strict on the generator and generated/"
	@echo "make ir               print the flagship IR as JSON"
	@echo "make update-fixtures  regenerate the golden trees of the fixture specs (tests/fixtures/expected)"
	@echo "make lock             re-pin requirements.lock from the current venv"
	@echo "make diff [BASE=rev]  API changes of the working-tree specs since the last release tag (or BASE=HEAD...), breaking first"
	@echo "make release [VERSION=x.y.z]  bump the version (default: what the diff proposes), CHANGELOG.md, commit, tag v<version>"
	@echo "make publish [DRY_RUN=1]  upload the tagged release at HEAD to \$$TWINE_REPOSITORY_URL (refuses anything else)"
	@echo "make bench            issue-7 benchmarks: per call, import, generation, scale (bench/README.md; BENCH_ARGS=...)"
	@echo "make bench-scale      generation time at 1k/4k/16k operations (BENCH_ARGS='--scale-sizes 1000 4000')"
	@echo "make corpus [N=50 SEED=1]  a seeded sample of the APIs.guru specs through sdkgen; pass rate"
	@echo "make bench-corpus-speed [SPEED_N=20 SEED=1]  the same draw: sdkgen's generation time against openapi-python-client's, per spec"

# The virtualenv depends on what installs it: requirements.lock and the packaging tables of
# pyproject.toml. Not on [tool.sdkgen], whose version `make release` sets, nor on tool settings:
# $(INSTALL_INPUTS) holds those tables and keeps its date while they stay the same.
INSTALL_INPUTS := $(VENV)/.install-inputs

$(INSTALL_INPUTS): pyproject.toml
	@mkdir -p $(VENV)
	@$(PYTHON) -c 'import json, tomllib; d = tomllib.load(open("pyproject.toml", "rb")); print(json.dumps([d.get("build-system"), d.get("project"), d.get("tool", {}).get("hatch")], sort_keys=True))' > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(STAMP): requirements.lock $(INSTALL_INPUTS)
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
	$(BIN)/ruff check generator tests bench tools templates/runtime plugins
	$(BIN)/ruff format --check generator tests bench tools templates/runtime plugins
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

# The suite runs on every core (pytest-xdist; TEST_WORKERS=1 for one process), a file (or one spec of
# a file of real specs) per worker at a time, the slow ones first. Slow and real-peer tests are marked (tests/conftest.py);
# `make test-fast` leaves them out. tests/README.md has the rules that keep tests safe in parallel.
TEST_WORKERS ?= auto
PYTEST_ARGS ?=
# Bytecode is cached (in $(VENV)/pycache, never beside the sources), even where the environment sets
# PYTHONDONTWRITEBYTECODE: the suite starts a few hundred Pythons (workers, sdkgen, mypy, pip), and
# without the cache each one compiles the generator, the SDK and the tests again.
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache

test: $(STAMP) $(NPM_STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -m "not slow" $(PYTEST_ARGS)

# The hand-written gateway spec against Deribit's own OpenAPI description (tools/drift.py); every
# difference needs a reason in an `x-drift` map. tests/test_gateway_drift.py runs it in `make test`.
.PHONY: drift
drift: $(STAMP)
	$(BIN)/python -m tools.drift specs/deribit/gateway.openrpc.yaml specs/deribit/deribit_openapi.json

# Review and release (see README: "The workflow"). The baseline of `make diff` and `make release` is
# the latest release tag v<version> (HEAD, with a warning, when there is none); BASE=/SINCE= pick another.
BASE ?=
DIST ?= dist

# `sdkgen diff` exits 2 when something breaks (for CI); here the report is the result, so only an
# error (exit 1) fails the target.
diff: $(STAMP)
	@$(BIN)/sdkgen diff $(BASE) || { status=$$?; if [ $$status -eq 2 ]; then echo "(sdkgen diff exit status 2: breaking changes, listed first above)" >&2; else exit $$status; fi; }

# Commits the release (version, CHANGELOG.md, regenerated output) and tags it v<version>.
release: $(STAMP)
	$(BIN)/sdkgen release $(if $(VERSION),--version $(VERSION)) $(if $(SINCE),--since $(SINCE)) $(if $(FORCE),--force)

# Uploads the release at HEAD to the index named by twine's own variables: TWINE_REPOSITORY_URL,
# TWINE_USERNAME and TWINE_PASSWORD (or an API token as the password with TWINE_USERNAME=__token__).
# There is no default index on purpose. It refuses a dirty tree, an untagged HEAD, a stale output, a
# version without its CHANGELOG entry or already on the index (INDEX_URL= names the simple index when
# it is not <upload URL>/simple/). DRY_RUN=1 checks and builds, and prints what it would upload.
publish: $(STAMP)
	$(BIN)/sdkgen publish --dist $(DIST) $(if $(INDEX_URL),--index-url $(INDEX_URL)) $(if $(DRY_RUN),--dry-run)
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
.PHONY: bench bench-calls bench-import bench-generate bench-scale bench-ws bench-specs corpus

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

bench-ws: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench --section websocket $(BENCH_ARGS)

bench-scale: $(STAMP) $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench --section scale $(BENCH_ARGS)

corpus: $(STAMP) $(BENCH_SPECS)
	$(BIN)/python -m bench.corpus --n $(N) --seed $(SEED) $(CORPUS_ARGS)

# Generation speed on the same seeded APIs.guru draw: sdkgen against openapi-python-client, one run
# each per spec, alternating order, cold (bench/corpus_speed.py; SPEED_N specs, default 20).
SPEED_N ?= 20
.PHONY: bench-corpus-speed
bench-corpus-speed: $(STAMP) $(BENCH_STAMP) $(BENCH_SPECS)
	$(BENCH_VENV)/bin/python -m bench.corpus_speed --n $(SPEED_N) --seed $(SEED) $(CORPUS_ARGS)
