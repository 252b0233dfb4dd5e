"""Read YAML and JSON documents, keeping enough to point at a line later."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, SpecError, relative_display
from .lines import JsonLines, YamlLines

try:  # the C loader is several times faster on large specs
    _Loader: type[Any] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


# Past these, a document is refused before anything walks it: every later stage (overlays, `$ref`
# checks, validators, the models engine) walks documents recursively, and YAML aliases can make a
# small file expand to billions of values ("billion laughs") or contain itself.
MAX_DEPTH = 200
MAX_VALUES = 5_000_000
_DEEP_HINT = "move nested schemas into components and refer to them with `$ref`"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON Pointer into its unescaped tokens."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    return [_unescape(t) for t in pointer[1:].split("/")]


@dataclass
class SourceDocument:
    """One parsed file. `data` may be changed by overlays; `text` is what was read."""

    path: Path
    text: str
    data: Any
    display: str
    _lines: JsonLines | YamlLines | None = field(default=None, repr=False)

    def location(self, pointer: str = "") -> Location:
        """A location inside this document; its line is looked up only if it is read (see `lines.py`)."""
        lines = self._line_finder()
        if isinstance(lines, YamlLines):
            lines.want(pointer)
        return Location(self.display, pointer, find_line=lines.line_of)

    def line_of(self, pointer: str) -> int | None:
        """1-based line of the node at `pointer` (or of its nearest existing ancestor)."""
        return self._line_finder().line_of(pointer)

    def _line_finder(self) -> JsonLines | YamlLines:
        if self._lines is None:
            is_json = self.path.suffix.lower() == ".json"
            self._lines = JsonLines(self.text) if is_json else YamlLines(self.text, _Loader)
        return self._lines


def check_structure(data: Any, display: str) -> None:
    """Refuse a document that contains itself (a recursive YAML alias), expands past `MAX_VALUES`
    values through aliases, or nests deeper than `MAX_DEPTH`. Iterative, and linear in the number
    of distinct containers, so the check itself cannot be made to recurse or hang."""
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            size, height = 1, 0
            for child in children:
                if isinstance(child, (dict, list)):
                    size += sizes[id(child)]
                    height = max(height, heights[id(child)])
                else:
                    size += 1
            open_nodes.discard(key)
            sizes[key], heights[key] = size, height + 1
            if size > MAX_VALUES:
                raise SpecError(
                    Location(display),
                    f"YAML aliases expand this document to more than {MAX_VALUES:,} values",
                    "aliases of aliases multiply: write out what the spec needs",
                )
            if height + 1 > MAX_DEPTH:
                raise SpecError(Location(display), f"the document nests more than {MAX_DEPTH} levels deep", _DEEP_HINT)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise SpecError(
                Location(display),
                "a YAML alias refers to a node that contains it (the document would be infinite)",
                "describe recursion with a `$ref` to a named schema, not a YAML alias",
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)) and id(child) not in sizes)


def _stringify_keys(value: Any) -> Any:
    """YAML allows non-string keys (`200:`, dates); JSON-based specs do not mean them."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else _scalar_text(k): _stringify_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify_keys(v) for v in value]
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_text(text: str, path: Path, display: str) -> Any:
    """Parse YAML or JSON text, raising SpecError with the line of a syntax error."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                Location(display, "", exc.lineno),
                f"invalid JSON: {exc.msg} (column {exc.colno})",
                "a JSON validator or `python -m json.tool` shows the context",
            ) from None
        except RecursionError:
            raise SpecError(Location(display), f"the document nests more than {MAX_DEPTH} levels deep", _DEEP_HINT) from None
        check_structure(data, display)
        return data
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise SpecError(Location(display, "", line), f"invalid YAML: {problem}", "check the indentation and quoting at that line") from None
    except yaml.YAMLError as exc:
        raise SpecError(Location(display), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(Location(display), f"the document nests more than {MAX_DEPTH} levels deep", _DEEP_HINT) from None
    check_structure(data, display)
    return _stringify_keys(data)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document is parsed.

    A parser makes hundreds of thousands of containers that all stay alive, and each young
    collection rescans them: with the collector on, PyYAML took 1.1 s for OpenAI's spec instead of
    0.4 s, 8.7 s instead of 2.2 s for 16,000 operations (it grew faster than the text), and
    `json.loads` of GitHub's 0.15 s instead of 0.08 s. Nothing parsed is garbage (a recursive
    alias is refused right after), and the collector runs again as soon as the document is read.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def read_document(path: Path, *, root: Path | None = None) -> SourceDocument:
    """Read and parse one spec file; the root of the document must be a mapping."""
    display = relative_display(path, root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(Location(display), "file not found") from None
    except OSError as exc:
        raise SpecError(Location(display), f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(Location(display, "", line), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8") from None
    with _collector_paused():
        data = parse_text(text, path, display)
    if not isinstance(data, dict):
        raise SpecError(Location(display, "", 1), f"expected a mapping at the top of the document, found {type(data).__name__}")
    return SourceDocument(path=path.resolve(), text=text, data=data, display=display)


def resolve_pointer(data: Any, pointer: str) -> Any:
    """Follow a JSON Pointer; raises KeyError naming the first token that is missing."""
    node = data
    for token in split_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node
