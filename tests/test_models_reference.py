"""Our models against datamodel-code-generator's, on the same schemas: both accept and reject the same JSON.

datamodel-code-generator rendered the SDK's models until sdkgen rendered them from its own IR;
it stays as the reference. For each spec the normalised, named schemas of the IR go through the
engine (with the options sdkgen used), our models are rendered from the IR, and JSON instances
drawn from the IR's types (valid ones, and arbitrary JSON at any level) must be accepted by both
or rejected by both.

Deliberate differences (each also has a test of its own below), and why:

1. Extra fields are kept as sent, never validated, also where the spec types them
   (`additionalProperties: {...}` beside `properties`): the engine typed them
   (`__pydantic_extra__: dict[str, X]`), so a server adding a field of another type failed the
   whole response. Instances of such models carry no extra fields here.
2. The tag of a discriminated union decides the member, as before; where two members would share
   a tag value, or a member is not an object, the union is a plain union (the engine refused or
   built a union pydantic rejects at import).
3. Names: classes the engine named itself (`Pet1`, `Event2`) are named by the IR (`PetCat`,
   `EventCard`); an integer member of a mixed enum is `INTEGER_1` (the engine: `INT_1`);
   a named enum listing `null` is an enum of its other values, used as `X | None` (the engine
   made `None` a member); a base class that another base extends is not listed again.
   These change names, not what is accepted.
4. A root model's description is the class docstring (the engine put some on the `root` field).

`make test` runs a bounded number of instances per spec (derandomized); `make fuzz` draws fresh
specs from the spec fuzzer's strategies and fresh instances for its share of the budget.
"""

from __future__ import annotations

import itertools
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import from_arguments, load_pyproject
from generator.errors import SpecError
from tests.conftest import FIXTURES, ROOT
from tests.fuzzing import BUDGET, LONG, SHARES, STATS
from tests.reference_models import Instances, Pair, build_apis, install, uninstall, validates
from tests.spec_strategies import openapi_documents, openrpc_documents

STRESS = Path("/work/shared/specs/stress")
SPECS: dict[str, tuple[list[Path], list[Path]]] = {
    "seed": ([FIXTURES / "specs" / "seed_intx_balances.yaml"], []),
    "widgets": ([FIXTURES / "specs" / "multifile" / "openapi.yaml"], []),
    "engine_naming": ([FIXTURES / "specs" / "engine_naming.yaml"], []),
    "common_patterns": ([FIXTURES / "specs" / "common_patterns_30.yaml"], []),
    "hostile": ([FIXTURES / "specs" / "hostile" / "openapi.yaml"], [FIXTURES / "specs" / "hostile" / "openrpc.yaml"]),
    "colliding": ([FIXTURES / "specs" / "colliding_names.yaml"], []),
    "discord": ([FIXTURES / "real" / "discord.openapi.json"], []),
}
# Large: the engine alone takes half a minute on OpenAI, so it runs under `make fuzz`.
LONG_SPECS: dict[str, tuple[list[Path], list[Path]]] = {"openai": ([FIXTURES / "real" / "openai.openapi.yaml"], [])}
INSTANCES_PER_MODEL = 16 if LONG else 5
MODELS_PER_SPEC = None if LONG else 60  # bounded run: an even sample of each spec's models
_counter = itertools.count()


def _pairs(folder: Path, config: Any) -> list[Pair]:
    pairs = []
    for api, defs, typed_extras in build_apis(config):
        package = f"refcheck{next(_counter)}"
        ours, reference = install(folder / package, package, api, defs)
        pairs.append(Pair(api, defs, typed_extras, ours, reference))
    return pairs


def _source(cls: Any) -> str:
    """Where a class is defined, for the failure message."""
    import inspect

    try:
        return f"{inspect.getsourcefile(cls)}:{inspect.getsourcelines(cls)[1]}"
    except (OSError, TypeError):
        return repr(cls)


def _compare_model(name: str, ours: Any, reference: Any, strategy: Any, examples: int, mismatches: list[str]) -> int:
    compared = 0

    @settings(max_examples=examples, database=None, suppress_health_check=list(HealthCheck), derandomize=not LONG, deadline=None)
    @given(strategy)
    def check(value: Any) -> None:
        nonlocal compared
        compared += 1
        (ok_ours, why_ours), (ok_ref, why_ref) = validates(ours, value), validates(reference, value)
        if ok_ours != ok_ref and len(mismatches) < 10:
            mismatches.append(
                f"{name}: ours {'accepts' if ok_ours else 'rejects'} and the engine "
                f"{'accepts' if ok_ref else 'rejects'} {json.dumps(value)[:300]} ({why_ours or why_ref})\n"
                f"  ours: {_source(ours)}\n  engine: {_source(reference)}"
            )

    check()
    return compared


def compare(pair: Pair, examples: int, sample: int | None = MODELS_PER_SPEC) -> int:
    """Draw `examples` instances for every model both sides define (an even `sample` of them); return how many were compared."""
    instances = Instances(pair.api.models, pair.typed_extras)
    compared = 0
    mismatches: list[str] = []
    models = pair.api.models
    if sample is not None and len(models) > sample:
        models = models[:: -(-len(models) // sample)]
    for model in models:
        ours, reference = pair.classes(model.name)
        if reference is not None:  # else a name the engine gave another class: compared through its users
            compared += _compare_model(model.name, ours, reference, instances.of_model(model.name), examples, mismatches)
    assert not mismatches, "\n".join(mismatches)
    return compared


@pytest.mark.parametrize("name", sorted(SPECS))
def test_our_models_accept_and_reject_what_the_engine_does(name: str, tmp_path: Path) -> None:
    openapi, openrpc = SPECS[name]
    config = from_arguments(
        package="x",
        output=tmp_path / "unused",
        openapi=[str(p) for p in openapi],
        openrpc=[str(p) for p in openrpc],
        overlays=[],
        version="1",
    )
    pairs = _pairs(tmp_path, config)
    try:
        compared = sum(compare(pair, INSTANCES_PER_MODEL) for pair in pairs)
        assert compared > 0 or not any(pair.api.models for pair in pairs)
    finally:
        for pair in pairs:
            uninstall(pair.ours.__name__.split(".")[0])


def test_the_flagship_models_accept_and_reject_what_the_engine_does(tmp_path: Path) -> None:
    pairs = _pairs(tmp_path, load_pyproject(ROOT / "pyproject.toml"))
    try:
        assert sum(compare(pair, INSTANCES_PER_MODEL) for pair in pairs) > 0
    finally:
        for pair in pairs:
            uninstall(pair.ours.__name__.split(".")[0])


@pytest.mark.skipif(not LONG, reason="the engine takes half a minute on OpenAI: `make fuzz` runs it")
@pytest.mark.parametrize("name", sorted(LONG_SPECS))
def test_large_specs_accept_and_reject_what_the_engine_does(name: str, tmp_path: Path) -> None:
    openapi, openrpc = LONG_SPECS[name]
    config = from_arguments(
        package="x",
        output=tmp_path / "unused",
        openapi=[str(p) for p in openapi],
        openrpc=[str(p) for p in openrpc],
        overlays=[],
        version="1",
    )
    pairs = _pairs(tmp_path, config)
    try:
        STATS["models: instances compared with the engine"] += sum(compare(pair, INSTANCES_PER_MODEL) for pair in pairs)
    finally:
        for pair in pairs:
            uninstall(pair.ours.__name__.split(".")[0])


def _write(folder: Path, name: str, document: dict[str, Any]) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=False, sort_keys=False), encoding="utf-8")
    return str(path)


def test_fuzzed_specs_models_accept_and_reject_what_the_engine_does(tmp_path: Path) -> None:
    documents = st.tuples(st.one_of(st.none(), openapi_documents()), st.one_of(st.none(), openrpc_documents())).filter(
        lambda t: t[0] is not None or t[1] is not None
    )

    def run(max_examples: int) -> None:
        @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(documents)
        def one(case: tuple[dict[str, Any] | None, dict[str, Any] | None]) -> None:
            number = next(_counter)
            folder = tmp_path / f"case{number}"
            folder.mkdir()
            openapi, openrpc = case
            config = from_arguments(
                package="x",
                output=folder / "unused",
                openapi=[_write(folder, "openapi", openapi)] if openapi else [],
                openrpc=[_write(folder, "openrpc", openrpc)] if openrpc else [],
                overlays=[],
                version="1",
            )
            try:
                pairs = _pairs(folder, config)
            except SpecError:
                STATS["models: drawn specs refused"] += 1
                return
            try:
                STATS["models: instances compared with the engine"] += sum(compare(pair, 4, None) for pair in pairs)
                STATS["models: drawn specs compared with the engine"] += 1
            finally:
                for pair in pairs:
                    uninstall(pair.ours.__name__.split(".")[0])
            shutil.rmtree(folder)  # kept when a comparison failed

        one()

    if not LONG:
        run(3)
        return
    deadline = time.monotonic() + BUDGET * SHARES.get("models", 0.2)
    while time.monotonic() < deadline:
        run(10)
