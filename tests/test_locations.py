"""Line numbers are looked up only when a warning or error is printed, and cost one pass over the text
however many there are: generation stays linear in the size of the spec (issue 17 measured it
growing with the square of the operation count when every `$ref` looked up its line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.config import from_arguments
from generator.errors import Diagnostics
from generator.ir_builder.sdk import build_sdk
from generator.load import lines
from generator.load.documents import read_document
from generator.load.refs import DocumentSet

SAME_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/a/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/b~c": {"post": {"tags": ["x", "y"], "responses": {"201": {"description": "made"}}}},
    },
}
POINTERS = [
    "",
    "/info/version",
    "/paths/~1a~1{id}/get/responses/200/description",
    "/paths/~1b~0c/post/tags/1",
    "/paths/~1b~0c/post/nothing/below",
]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_lines_of_json_and_yaml_point_at_the_member(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"spec{suffix}"
    path.write_text(json.dumps(SAME_DOCUMENT, indent=2) if suffix == ".json" else yaml.safe_dump(SAME_DOCUMENT, sort_keys=False))
    document = read_document(path)
    found = {pointer: document.location(pointer).line for pointer in POINTERS}
    text = path.read_text().splitlines()
    assert found[""] == 1
    assert "version" in text[found["/info/version"] - 1]
    assert "ok" in text[found["/paths/~1a~1{id}/get/responses/200/description"] - 1]
    assert "y" in text[found["/paths/~1b~0c/post/tags/1"] - 1]
    # The nearest ancestor that exists: the operation (in YAML a block mapping starts at its first key)
    assert found["/paths/~1b~0c/post/nothing/below"] == document.location("/paths/~1b~0c/post").line


def many_operations(count: int, suffix: str, folder: Path) -> Path:
    """A spec with `count` operations, each with a `$ref` and a warning (a response media type the SDK does not read)."""
    paths = {
        f"/items{i}": {
            "post": {
                "operationId": f"post{i}",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}},
                            "application/xml": {"schema": {"type": "string"}},
                        },
                    }
                },
            }
        }
        for i in range(count)
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Scale", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": paths,
        "components": {"schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}},
    }
    path = folder / f"scale{count}{suffix}"
    path.write_text(json.dumps(spec, indent=1) if suffix == ".json" else yaml.safe_dump(spec, sort_keys=False))
    return path


class Counter:
    """Counts the passes over YAML text and the values the JSON walk decodes, and every line lookup."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lookups = 0
        self.yaml_passes = 0
        self.json_values = 0
        counter = self
        yaml_walk, json_child, json_line_of, yaml_line_of = (
            lines.YamlLines._walk,
            lines.JsonLines._child,
            lines.JsonLines.line_of,
            lines.YamlLines.line_of,
        )

        def walk(self: lines.YamlLines, *args: object) -> None:
            counter.yaml_passes += 1
            yaml_walk(self, *args)  # type: ignore[arg-type]

        def child(self: lines.JsonLines, *args: object, **kwargs: object) -> int | None:
            before = self.values_decoded
            try:
                return json_child(self, *args, **kwargs)  # type: ignore[arg-type]
            finally:
                counter.json_values += self.values_decoded - before

        def json_line(self: lines.JsonLines, pointer: str) -> int | None:
            counter.lookups += 1
            return json_line_of(self, pointer)

        def yaml_line(self: lines.YamlLines, pointer: str) -> int | None:
            counter.lookups += 1
            return yaml_line_of(self, pointer)

        monkeypatch.setattr(lines.YamlLines, "_walk", walk)
        monkeypatch.setattr(lines.JsonLines, "_child", child)
        monkeypatch.setattr(lines.JsonLines, "line_of", json_line)
        monkeypatch.setattr(lines.YamlLines, "line_of", yaml_line)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_checking_every_ref_looks_up_no_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    counter = Counter(monkeypatch)
    DocumentSet(read_document(many_operations(300, suffix, tmp_path))).check_all()
    assert counter.lookups == 0 and counter.yaml_passes == 0 and counter.json_values == 0


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_building_looks_up_no_line_and_printing_the_warnings_is_linear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """One warning per operation: the build looks up no line; printing them all costs one pass over
    the YAML text, or a JSON walk that decodes a bounded number of values per operation (a lookup
    that scanned `paths` per warning would decode count² / 2)."""
    costs = {}
    for count in (100, 400):
        counter = Counter(monkeypatch)
        diagnostics = Diagnostics()
        spec = many_operations(count, suffix, tmp_path)
        config = from_arguments(package="scale", output=tmp_path / "out", openapi=[str(spec)], openrpc=[], overlays=[], version="0.1.0")
        build_sdk(config, diagnostics)
        assert counter.lookups == 0 and counter.yaml_passes == 0 and counter.json_values == 0
        printed = "\n".join(str(d) for d in diagnostics.sorted())
        assert printed.count("response 'application/xml' is not read") == count
        costs[count] = (counter.yaml_passes, counter.json_values)
    if suffix == ".yaml":
        assert costs[100][0] == costs[400][0] == 1
    else:
        # Each warning points four levels into its operation (…/content/application~1xml): a few values
        # decoded per operation, never a scan of `paths` per warning (count² / 2 = 80,000).
        assert costs[400][1] <= 4 * costs[100][1] + 50 and costs[400][1] <= 5 * 400


def test_reading_pauses_the_garbage_collector_and_always_turns_it_back_on(tmp_path: Path) -> None:
    """The collector is off while a document is parsed (it made parsing grow faster than the text)."""
    import gc

    from generator.errors import SpecError

    seen: list[bool] = []

    def spy(text: str, path: Path, display: str) -> object:
        seen.append(gc.isenabled())
        return original(text, path, display)

    from generator.load import documents

    original = documents.parse_text
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("openapi: 3.1.0\n")
    bad.write_text("openapi: [\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "parse_text", spy)
        read_document(good)
        assert gc.isenabled()
        with pytest.raises(SpecError):
            read_document(bad)
        assert gc.isenabled()
    assert seen == [False, False]
