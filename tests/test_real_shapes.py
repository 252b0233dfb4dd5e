"""Shapes public specs use, read right (issue 17), on small specs reduced from where they were found
(tests/fixtures/specs/real_shapes/): the generated package takes what the API sends and builds what it
takes, and each reading of a shape the spec got wrong is a warning naming its JSON Pointer."""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES
from tests.servers.notifications import NotificationServer
from tests.test_fuzz_specs import check_package, import_package
from tests.typecheck import mypy

SHAPES = FIXTURES / "specs" / "real_shapes"


def _generate(spec: str, package: str, output: Path) -> Any:
    config = from_arguments(package=package, output=output, openapi=[f"api={SHAPES / spec}"], openrpc=[], overlays=[], version="0.1.0")
    result = generate(config)
    check_package(output, package)
    import_package(output, package)
    return result


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType, list[tuple[str, str]]]]:
    output = tmp_path_factory.mktemp("shapes") / "out"
    result = _generate("openapi31.yaml", "shapes", output)
    warnings = [(d.location.pointer, d.message) for d in result.diagnostics.items]
    sys.path.insert(0, str(output))
    try:
        import shapes.models.api as models

        yield output, models, warnings
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "shapes"]:
            del sys.modules[name]


def test_discriminator_tags_are_the_members_enum_values_not_their_schema_names(shapes: tuple[Path, ModuleType, Any]) -> None:
    """OpenAI's `WebSearchTool` (`type: {enum: [web_search, web_search_2025_08_26]}`, no mapping) was
    tagged `Literal["WebSearchTool"]`: a valid response failed and a valid request could not be built."""
    _, models, _ = shapes
    listed = models.ToolList.model_validate(
        {"tools": [{"type": "web_search_2025_08_26"}, {"type": "web_search"}, {"type": "file_search"}, {"type": "function", "name": "f"}]}
    )
    assert [type(t.root).__name__ for t in listed.tools] == ["WebSearchTool", "WebSearchTool", "FileSearchTool", "FunctionTool"]
    assert models.WebSearchTool(type="web_search_2025_08_26").model_dump(mode="json", exclude_none=True) == {
        "type": "web_search_2025_08_26"
    }
    with pytest.raises(pydantic.ValidationError):
        models.Tool.model_validate({"type": "WebSearchTool"})


def test_nullable_true_in_a_31_document_is_honoured_with_a_warning(shapes: tuple[Path, ModuleType, Any]) -> None:
    """OpenAI's `RunObject.required_action`, `last_error`, `started_at` rejected the null the API documents."""
    _, models, warnings = shapes
    run = models.RunObject.model_validate({"id": "r", "required_action": None, "last_error": None, "started_at": None})
    assert run.required_action is None and run.last_error is None and run.started_at is None
    warned = {pointer for pointer, message in warnings if "`nullable: true` is OpenAPI 3.0's keyword" in message}
    assert warned == {
        "/components/schemas/RunObject/properties/required_action/nullable",
        "/components/schemas/RunObject/properties/started_at/nullable",
        "/components/schemas/LastError/nullable",
    }


def test_booleans_in_a_string_enum_are_read_as_strings_with_a_warning(shapes: tuple[Path, ModuleType, Any]) -> None:
    """stackexchange's `{type: string, enum: [true, false]}` made `TRUE = True` in a string enum: the package failed to import."""
    output, models, warnings = shapes
    assert models.Accepted("true") is models.Accepted.TRUE and models.Accepted.FALSE.value == "false"
    assert models.Answer.model_validate({"accepted": "true", "is_answered": "false"}).is_answered == "false"
    assert "accepted: Accepted | NotGiven = NOT_GIVEN" in (output / "shapes" / "api" / "default.py").read_text(encoding="utf-8")
    warned = {pointer for pointer, message in warnings if "a string enum lists booleans (true, false)" in message}
    assert warned == {"/components/schemas/Accepted/enum", "/components/schemas/Answer/properties/is_answered/enum"}


def test_a_schema_under_a_key_named_type_generates_with_a_warning_naming_the_pointer(shapes: tuple[Path, ModuleType, Any]) -> None:
    """codat's accounting spec (`itemType: {type: {type: string, enum: [...]}}`) stopped generation."""
    _, models, warnings = shapes
    assert models.Item.model_validate({"type": "Inventory"}).type is models.ItemType.INVENTORY
    assert ("/components/schemas/ItemType/type", "`type` holds a schema, not a type name: read as that schema") in warnings


def test_names_python_folds_to_one_identifier_keep_one_field_each(shapes: tuple[Path, ModuleType, Any]) -> None:
    """Python reads identifiers NFKC-folded (`ｆｕｌｌ` is `full`, `ﬁle` is `file`): four properties, four fields."""
    _, models, _ = shapes
    value = models.Folded.model_validate({"full": "a", "ｆｕｌｌ": "b", "file": 1, "ﬁle": 2})
    assert sorted(value.model_dump(by_alias=True).items()) == sorted({"full": "a", "ｆｕｌｌ": "b", "file": 1, "ﬁle": 2}.items())
    assert len(models.Folded.model_fields) == 4


def test_parameters_operations_schemas_and_members_stay_apart_after_nfkc_folding(tmp_path: Path) -> None:
    output = tmp_path / "out"
    _generate("nfkc.yaml", "folding", output)
    script = (
        "import inspect\n"
        "from folding.api.default import Default as group\n"
        "from folding.models.api import Full, Full2, Mode\n"
        "print(sorted(inspect.signature(group.file).parameters))\n"
        "print(sorted(n for n in vars(group) if not n.startswith('_') and n not in ('with_raw_response', 'with_streaming_response')))\n"
        "print(len(Full.model_fields), sorted(m.value for m in Mode), Full2.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=output, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    params, methods, models = done.stdout.splitlines()
    assert {"full", "query_full", "file", "header_file"} <= set(ast.literal_eval(params))  # four parameters, four arguments
    assert methods == str(["file", "file_search2"])
    assert models == f"5 {sorted(['full', 'ｆｕｌｌ', 'ﬁle', 'file'])} Full2"


# -- OpenRPC methods without `result`: notifications ------------------------------------------------


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    output = tmp_path_factory.mktemp("wallet") / "out"
    config = from_arguments(
        package="wallet", output=output, openapi=[], openrpc=[f"api={SHAPES / 'notifications.openrpc.yaml'}"], overlays=[], version="0.1.0"
    )
    generate(config)
    check_package(output, "wallet")
    import_package(output, "wallet")
    sys.path.insert(0, str(output))
    try:
        import wallet

        yield wallet
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "wallet"]:
            del sys.modules[name]


def test_a_method_without_result_is_sent_as_a_notification_and_returns_none(wallet: ModuleType) -> None:
    with NotificationServer() as server, wallet.Client(api_base_url=server.url) as client:
        sent = client.api.default.wallet_notify(scope="eip155:1", notification={"method": "accountsChanged", "params": {}})
        session = client.api.default.wallet_get_session()
    assert sent is None and session.scopes == ["eip155:1"]
    notification, request = (json.loads(r.body) for r in server.requests)
    assert notification == {
        "jsonrpc": "2.0",
        "method": "wallet_notify",
        "params": {"scope": "eip155:1", "notification": {"method": "accountsChanged", "params": {}}},
    }
    assert "id" in request  # a method with a `result` is a request, answered by id


def test_an_async_notification_is_sent_without_id_too(wallet: ModuleType) -> None:
    async def main(url: str) -> object:
        async with wallet.AsyncClient(api_base_url=url) as client:
            return await client.api.default.wallet_notify(scope="s", notification={"method": "m"})

    with NotificationServer() as server:
        assert asyncio.run(main(server.url)) is None
    assert "id" not in json.loads(server.requests[0].body)


def test_a_notification_the_server_refuses_at_the_http_layer_raises(wallet: ModuleType) -> None:
    with NotificationServer() as server, wallet.Client(api_base_url=server.url, max_retries=0) as client:
        with pytest.raises(wallet.APIStatusError) as caught:
            client.api.default.refuse()
    assert caught.value.status_code == 503


def test_the_generated_notification_says_what_it_returns(wallet: ModuleType) -> None:
    method = wallet.Client(api_base_url="http://127.0.0.1:9").api.default.wallet_notify
    assert "A notification: sent without an `id`" in (method.__doc__ or "")
    assert method.__annotations__["return"] in ("None", None)


def test_a_tag_a_base_types_as_an_enum_is_narrowed_to_its_member(shapes: tuple[Path, ModuleType, Any]) -> None:
    """Spotify's `EpisodeObject(EpisodeBase)` got `type: Literal["episode"]` over the base's `type:
    EpisodeBaseType`: mypy --strict failed on the package. `Literal[EpisodeBaseType.EPISODE]` narrows it."""
    output, models, _ = shapes
    source = (output / "shapes" / "models" / "api" / "_shared.py").read_text(encoding="utf-8")
    source += (output / "shapes" / "models" / "api" / "default.py").read_text(encoding="utf-8")
    assert "type: Literal[EpisodeBaseType.EPISODE]" in source
    queue = models.Queue.model_validate({"currently_playing": {"type": "episode", "name": "e"}, "queue": [{"type": "track"}]})
    assert type(queue.currently_playing.root).__name__ == "EpisodeObject" and queue.currently_playing.root.type == "episode"
    assert type(queue.queue[0].root).__name__ == "TrackObject"


def test_the_package_of_these_shapes_is_mypy_strict_clean(shapes: tuple[Path, ModuleType, Any]) -> None:
    output, _, _ = shapes
    done = mypy(["--strict", "shapes"], cwd=output)
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_group_class_never_takes_a_model_name_even_with_its_suffix(tmp_path: Path) -> None:
    """Azure: the group `SubscriptionDiagnosticSettings` became `SubscriptionDiagnosticSettingsResource`,
    the name of a model its module imports (ruff F811, the package refused)."""
    output = tmp_path / "out"
    _generate("group_model_clash.yaml", "monitor", output)
    source = (output / "monitor" / "api" / "subscription_diagnostic_settings.py").read_text(encoding="utf-8")
    assert "class SubscriptionDiagnosticSettingsOperations:" in source
    assert "    SubscriptionDiagnosticSettingsResource,\n" in source  # the model, imported under its own name
