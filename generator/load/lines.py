"""Line numbers of JSON Pointers in a spec's text, found only when a warning or error is printed.

Generation itself never needs a line: the builder makes a `Location` for every operation and
every `$ref` it could complain about, and a line is looked up only when one is read. Each lookup
costs at most one pass over the text, and is linear in it, whatever the number of lookups:

* JSON: `JsonLines` walks the text along the pointer only, skipping every sibling value before
  the one it wants with the C decoder (`raw_decode`), and remembers what it has read of each
  object and array. Nothing is read twice at one level, so any number of lookups costs at most
  one decoding of the text per level of nesting they reach, and a handful costs milliseconds on a
  13 MB spec (composing the YAML node tree of the same text takes seconds).
* YAML: `YamlLines` collects the pointers whose line may be wanted (every `location()` of the
  document) and answers all of them from one stream of parser events (libyaml's C parser; no node
  tree is built). A pointer asked for later is answered with the next pending ones in one more pass.

A pointer that does not exist in the text (an overlay added it, or a YAML alias or merge key
stands there) gets the line of its nearest ancestor that does.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

import yaml

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile("\n")
_DECODER = json.JSONDecoder()
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]  # the C scanner, as the json module uses it


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str] | None:
    """The unescaped tokens of a JSON Pointer, or None when it is not one."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        return None
    return [_unescape(t) for t in pointer[1:].split("/")]


class _Container:
    """What has been read of one JSON object or array: where each member's value starts, and where
    reading goes on (None once the closing bracket was reached)."""

    __slots__ = ("members", "resume", "value_pending")

    def __init__(self, start: int) -> None:
        self.members: dict[str, int] = {}
        self.resume: int | None = start + 1
        self.value_pending = False  # `resume` is at a member's value that was not skipped yet


class JsonLines:
    """Lines of pointers in JSON text (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._containers: dict[int, _Container] = {}
        self._newlines: list[int] | None = None
        self.values_decoded = 0  # sibling values skipped with the decoder: what lookups cost (tests count it)

    def line_of(self, pointer: str) -> int | None:
        tokens = pointer_tokens(pointer)
        if tokens is None:
            return None
        try:
            offset = self._offset(tokens)
        except (ValueError, IndexError):  # not the JSON that was parsed (cannot happen for a read document)
            return None
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def _offset(self, tokens: list[str]) -> int:
        text = self.text
        position = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
        for token in tokens:
            opener = text[position]
            if opener not in "{[":
                break
            child = self._child(position, token, is_object=opener == "{")
            if child is None:
                break
            position = child
        return position

    def _child(self, start: int, token: str, *, is_object: bool) -> int | None:
        container = self._containers.get(start)
        if container is None:
            container = self._containers[start] = _Container(start)
        if not is_object:
            if not token.isdigit():
                return None
        if token in container.members:
            return container.members[token]
        text = self.text
        closer = "}" if is_object else "]"
        while container.resume is not None:
            position = container.resume
            if container.value_pending:  # the value of the member found last time: skip it now
                position = _DECODER.raw_decode(text, position)[1]
                self.values_decoded += 1
                container.value_pending = False
            position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
            if text[position] == ",":
                position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
            if text[position] == closer:
                container.resume = None
                break
            if is_object:
                key, position = _scanstring(text, position + 1)
                position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
                position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]  # past ':'
            else:
                key = str(len(container.members))
            container.members.setdefault(key, position)
            container.resume = position
            container.value_pending = True
            if key == token:
                return position
        return None


class YamlLines:
    """Lines of pointers in YAML text, pending pointers answered together (see the module docstring)."""

    def __init__(self, text: str, loader: type[Any]) -> None:
        self.text = text
        self._loader = loader
        self._known: dict[str, int | None] = {}
        self._wanted: set[str] = set()
        self.passes = 0  # passes over the text (tests count them)

    def want(self, pointer: str) -> None:
        """`pointer`'s line may be asked for: answer it with the next pass."""
        if pointer not in self._known:
            self._wanted.add(pointer)

    def line_of(self, pointer: str) -> int | None:
        if pointer not in self._known:
            self._wanted.add(pointer)
            self._answer_wanted()
        return self._known[pointer]

    def _answer_wanted(self) -> None:
        wanted, self._wanted = self._wanted, set()
        root: list[Any] = [None, {}]  # a trie of the wanted tokens: [line, {token: child}]
        nodes = 1
        paths: dict[str, list[str]] = {}
        for pointer in wanted:
            tokens = pointer_tokens(pointer)
            if tokens is None:
                self._known[pointer] = None
                continue
            paths[pointer] = tokens
            node = root
            for token in tokens:
                child = node[1].get(token)
                if child is None:
                    child = node[1][token] = [None, {}]
                    nodes += 1
                node = child
        try:
            self._walk(root, nodes)
        except yaml.YAMLError:  # the text was read before, so this does not happen; lines are a courtesy
            pass
        for pointer, tokens in paths.items():
            node, line = root, root[0]
            for token in tokens:
                node = node[1].get(token)
                if node is None or node[0] is None:
                    break
                line = node[0]
            self._known[pointer] = line

    def _walk(self, root: list[Any], nodes: int) -> None:
        """One pass over the parser's events, noting the line of each trie node met on the way."""
        self.passes += 1
        found = 0
        # A frame per open collection: [trie children or None, is mapping, next node is a key, key or index]
        frames: list[list[Any]] = []
        scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        events: Any = yaml.parse(self.text, Loader=self._loader)
        for event in events:
            kind = type(event)
            if kind in ends:
                frames.pop()
                continue
            if kind is not scalar and kind is not mapping_start and kind is not sequence_start and kind is not alias:
                continue
            entry: list[Any] | None
            if not frames:
                entry = root
            else:
                frame = frames[-1]
                if frame[1]:
                    if frame[2]:  # a mapping key
                        frame[2] = False
                        frame[3] = event.value if kind is scalar else None
                        if kind is mapping_start or kind is sequence_start:  # a complex key: read past it
                            frames.append([None, kind is mapping_start, kind is mapping_start, 0])
                        continue
                    frame[2] = True
                    token = frame[3]
                else:
                    token = str(frame[3])
                    frame[3] += 1
                children = frame[0]
                entry = children.get(token) if children is not None and token is not None else None
            if entry is not None and entry[0] is None:
                entry[0] = event.start_mark.line + 1  # where the node starts, as the node tree would say
                found += 1
                if found == nodes:
                    return
            if kind is mapping_start:
                frames.append([entry[1] if entry is not None else None, True, True, None])
            elif kind is sequence_start:
                frames.append([entry[1] if entry is not None else None, False, False, 0])
