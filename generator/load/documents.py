"""Read YAML and JSON documents, keeping enough to point at a line later."""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, SpecError, join_pointer, relative_display
from ..uptodate import note_read
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


_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


class _DuplicateKey(Exception):
    """Raised while parsing when one mapping names a key twice (lines are 1-based, when known)."""

    def __init__(self, key: str, first: int | None = None, second: int | None = None) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


class _StrictLoader(_Loader):  # type: ignore[misc]
    """The C loader, refusing a mapping that names a key twice.

    PyYAML (like `json`) keeps the last value of a repeated key without a word, so a second
    `/a:` under `paths` would silently drop every operation of the first. Keys are compared as the
    document means them after `_stringify_keys` (`200` and `"200"` are one key); merge keys (`<<`)
    are YAML's own way to override and are left alone. The check is one pass over each mapping's
    keys, which the constructor walks anyway.
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            pairs = node.value
            try:  # the common case in one cheap pass: plain string keys, all different
                plain = len({key.value for key, _ in pairs if key.tag == _STR_TAG}) == len(pairs)
            except TypeError:  # a key that is itself a collection
                plain = False
            if not plain:
                self._check_keys(pairs)
        return super().construct_mapping(node, deep=deep)

    def _check_keys(self, pairs: list[tuple[Any, Any]]) -> None:
        seen: dict[str, Any] = {}
        for key_node, _ in pairs:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = key_node.value if key_node.tag == _STR_TAG else _scalar_text(self.construct_object(key_node))
            if key in seen:
                raise _DuplicateKey(key, seen[key].start_mark.line + 1, key_node.start_mark.line + 1)
            seen[key] = key_node


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for `json.loads`: a dict, or `_DuplicateKey` when a key repeats."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


def _duplicate_site(text: str, key: str) -> tuple[str, int, int] | None:
    """Where a mapping names `key` twice: (pointer of the mapping, first line, second line).

    Only on the error path: composes the node tree (JSON reads as YAML here too) and walks it.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, int] = {}
            for key_node, value in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if name == key and name in lines:
                    return pointer, lines[name], key_node.start_mark.line + 1
                if name is not None:
                    lines.setdefault(name, key_node.start_mark.line + 1)
                    stack.append((value, join_pointer(pointer, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, join_pointer(pointer, index)) for index, value in enumerate(node.value))
    return None


def _duplicate_error(exc: _DuplicateKey, text: str, display: str) -> SpecError:
    site = _duplicate_site(text, exc.key)
    pointer, first, second = site if site is not None else ("", exc.first, exc.second)
    also = f" (first at line {first})" if first is not None else ""
    return SpecError(
        Location(display, pointer, second),
        f"duplicate key {exc.key!r}{also}: a parser keeps only the last one, and what the first holds would be lost",
        "merge the two entries into one, or rename one of them",
    )


# A JSON or YAML escape of a UTF-16 surrogate (`\ud800`, `\U0000DC00`): only then can a parsed
# string hold a lone surrogate, which is not text (it cannot be written as UTF-8).
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")


def _check_surrogates(data: Any, text: str, display: str) -> None:
    """Refuse a string (or key) that holds a lone surrogate, naming where it is."""
    if not _SURROGATE_ESCAPE.search(text):
        return
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                where = join_pointer(pointer, str(key))
                for item, at in ((key, pointer), (value, where)):
                    if isinstance(item, str) and not _is_text(item):
                        raise _surrogate_error(item, at, text, display)
                stack.append((value, where))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str) and not _is_text(value):
                    raise _surrogate_error(value, join_pointer(pointer, index), text, display)
                stack.append((value, join_pointer(pointer, index)))


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _surrogate_error(value: str, pointer: str, text: str, display: str) -> SpecError:
    surrogate = next(c for c in value if 0xD800 <= ord(c) <= 0xDFFF)
    line = SourceDocument(Path(display), text, None, display).line_of(pointer) or _lone_escape_line(text)
    return SpecError(
        Location(display, pointer, line),
        f"a string holds a lone surrogate (\\u{ord(surrogate):04x}), half of a UTF-16 pair, which is not text",
        "escape the whole character as a pair, like \\ud83d\\ude00, or write it as UTF-8",
    )


_ESCAPE = re.compile(r"\\u([dD][89a-fA-F][0-9a-fA-F]{2})")


def _lone_escape_line(text: str) -> int | None:
    """The line of the first surrogate escape that is not half of a pair (libyaml cannot compose such a text)."""
    matches = list(_ESCAPE.finditer(text))
    index = 0
    while index < len(matches):
        high = int(matches[index].group(1), 16) < 0xDC00
        pair = high and index + 1 < len(matches) and matches[index + 1].start() == matches[index].end()
        if pair and int(matches[index + 1].group(1), 16) >= 0xDC00:
            index += 2
            continue
        return text.count("\n", 0, matches[index].start()) + 1
    return None


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
            data = json.loads(text, object_pairs_hook=_json_object)
        except _DuplicateKey as exc:
            raise _duplicate_error(exc, text, display) from None
        except json.JSONDecodeError as exc:
            raise SpecError(
                Location(display, "", exc.lineno),
                f"invalid JSON: {exc.msg} (column {exc.colno})",
                "a JSON validator or `python -m json.tool` shows the context",
            ) from None
        except RecursionError:
            raise SpecError(Location(display), f"the document nests more than {MAX_DEPTH} levels deep", _DEEP_HINT) from None
        check_structure(data, display)
        _check_surrogates(data, text, display)
        return data
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader
    except _DuplicateKey as exc:
        raise _duplicate_error(exc, text, display) from None
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
    data = _stringify_keys(data)
    _check_surrogates(data, text, display)
    return data


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
    note_read(path, raw)  # an input of the output's record (generator/uptodate.py)
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
