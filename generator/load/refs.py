"""Resolve `$ref`s: local pointers and relative files, never outside the spec root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from ..errors import Diagnostics, Location, SpecError, join_pointer
from ..uptodate import note_absent
from .documents import SourceDocument, read_document, resolve_pointer, split_pointer

# Where a node of a document is: None for the root, else (the parent's site, key or index). The walk
# of `check_all` keeps these chains instead of building a pointer string for every node.
_Site = tuple[Any, str | int] | None


def _pointer(site: _Site) -> str:
    tokens: list[str | int] = []
    while site is not None:
        site, token = site
        tokens.append(token)
    return join_pointer("", *reversed(tokens))


@dataclass(frozen=True)
class RefTarget:
    """What a `$ref` points at: the document, the pointer inside it, and the value."""

    document: SourceDocument
    pointer: str
    value: Any


class DocumentSet:
    """The main spec plus every file its `$ref`s reach, loaded once each.

    A file `$ref` may name any file under the spec root: by default the project root (the folder
    of pyproject.toml, or the working directory) when the spec lies in it, else the spec's own
    folder; `--spec-root` or `spec_root` in [tool.sdkgen] sets it. Anything outside (`..` past
    it, a symlink that leads out, a remote URL) is refused, so a spec cannot make the generator
    read files it was not given.
    """

    def __init__(
        self,
        main: SourceDocument,
        *,
        display_root: Path | None = None,
        spec_root: Path | None = None,
        diagnostics: Diagnostics | None = None,
    ) -> None:
        self.main = main
        self._display_root = display_root
        self.root = self._spec_root(main, spec_root, display_root)
        self._diagnostics = diagnostics
        self._documents: dict[Path, SourceDocument] = {main.path: main}
        self._acyclic: set[tuple[Path, str]] = set()  # nodes whose `$ref`/composition chains end
        self._root_relative: set[tuple[Path, str]] = set()  # `$ref` files found only from the spec root (warned once each)
        self._resolved: dict[tuple[Path, str], RefTarget] = {}

    @staticmethod
    def _spec_root(main: SourceDocument, given: Path | None, project: Path | None) -> Path:
        if given is not None:
            root = given.resolve()
            if not main.path.is_relative_to(root):
                raise SpecError(
                    Location(main.display),
                    f"the spec is outside its spec root {root}",
                    "set --spec-root (or spec_root in [tool.sdkgen]) to a folder that holds the spec and every file it refers to",
                )
            return root
        if project is not None and main.path.is_relative_to(project.resolve()):
            return project.resolve()
        return main.path.parent

    def _shown_root(self) -> str:
        if self._display_root is not None and self.root.is_relative_to(self._display_root.resolve()):
            shown = self.root.relative_to(self._display_root.resolve()).as_posix()
            return "the project root" if shown == "." else f"{shown}/"
        return f"{self.root}/"

    def resolve(self, ref: Any, document: SourceDocument, site: str) -> RefTarget:
        """Resolve `ref`, found at pointer `site` of `document` (each `$ref` text once per document)."""
        known = self._resolved.get((document.path, ref)) if isinstance(ref, str) else None
        if known is not None:
            return known
        target = self._resolve(ref, document, site)
        self._resolved[(document.path, ref)] = target
        return target

    def _resolve(self, ref: Any, document: SourceDocument, site: str) -> RefTarget:

        def fail(message: str, hint: str) -> SpecError:  # the location is made only for an error
            return SpecError(document.location(join_pointer(site, "$ref")), message, hint)

        if not isinstance(ref, str):
            raise fail(f"$ref must be a string, found {type(ref).__name__}", "write it as `$ref: '#/components/schemas/Name'`")
        file_part, _, fragment = ref.partition("#")
        if "://" in file_part:
            raise fail(f"remote $ref {ref!r} is not fetched", "download the file next to the spec and refer to it by a relative path")
        target_doc = document
        if file_part:
            where = document.location(join_pointer(site, "$ref"))
            target_doc = self._load(self._file_of(unquote(file_part), ref, document, where), where)
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise fail(f"$ref {ref!r} has a fragment that is not a JSON Pointer", "the part after `#` starts with `/`")
        try:
            value = resolve_pointer(target_doc.data, pointer)
        except KeyError as exc:
            raise fail(
                f"$ref {ref!r} points at nothing: no {str(exc)!s} in {target_doc.display}", "check the name (a $ref is case-sensitive)"
            ) from None
        return RefTarget(target_doc, pointer, value)

    def _file_of(self, file_part: str, ref: str, document: SourceDocument, where: Location) -> Path:
        """The file a `$ref` names: relative to the file that holds it, and under the spec root.

        Starknet's OpenRPC files write file `$ref`s relative to their repository's root, as their
        own tools resolve them. In an OpenRPC document (whose `$ref`s only sdkgen follows), a file
        missing next to the referring file but there from the spec root is read from there, with
        a warning. OpenAPI validators resolve `$ref`s by the standard rule, so there it stays an
        error, whose hint names the file found from the root.
        """
        path = (document.path.parent / file_part).resolve()
        if not path.is_relative_to(self.root):
            raise SpecError(
                where,
                f"$ref {ref!r} is outside the spec root ({self._shown_root()})",
                "keep referenced files under the spec root, or widen it with --spec-root (spec_root in [tool.sdkgen])",
            )
        if path.is_file():
            return path
        note_absent(path)  # read from the root instead: the file appearing here would change the output
        from_root = (self.root / file_part).resolve()
        if not (from_root.is_relative_to(self.root) and from_root.is_file()):
            return path  # reported by `_load`
        found = from_root.relative_to(self.root).as_posix()
        if "openrpc" not in self.main.data:
            raise SpecError(
                where,
                f"$ref names a file that does not exist: {file_part} (relative to {document.path.name})",
                f"the path is relative to the file that holds the $ref; from the spec root it is {found}",
            )
        if self._diagnostics is not None and (document.path, file_part) not in self._root_relative:
            self._root_relative.add((document.path, file_part))
            self._diagnostics.warn(
                where,
                f"$ref file {file_part!r} is not next to {document.path.name}; read from the spec root instead ({found})",
                kind="$ref file read from the spec root",
            )
        return from_root

    def path_item(self, item: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        """The Path Item at `pointer` of the main document, its `$ref` followed (and chains of them).

        `/a: {$ref: '#/components/pathItems/A'}` (3.1) comes back as that item, with its own
        pointer for locations. An item in another file (`$ref: paths/a.yaml`, common in 3.0)
        comes back with each `$ref` inside rewritten to resolve from the main document, so the
        builder reads it as if it were written there. Keys beside the `$ref` (3.1's `summary`,
        `description`) win over the referenced item's.
        """
        site, seen = pointer, set()
        while isinstance(item.get("$ref"), str):
            target = self.resolve(item["$ref"], self.main, site)
            if (target.document.path, target.pointer) in seen:
                raise SpecError(
                    self.main.location(join_pointer(site, "$ref")),
                    f"Path Item $ref cycle through {item['$ref']!r}",
                    "point the $ref at a Path Item that has operations",
                )
            seen.add((target.document.path, target.pointer))
            if not isinstance(target.value, dict):
                raise SpecError(self.main.location(join_pointer(site, "$ref")), "a Path Item $ref must point at a mapping")
            if target.document is self.main:
                value, site = target.value, target.pointer
            else:
                value, site = self._rebased(target.value, target.document), pointer
            item = {**value, **{key: v for key, v in item.items() if key != "$ref"}}
        return item, site

    def _rebased(self, value: Any, document: SourceDocument) -> Any:
        """A copy of `value` (from `document`) whose `$ref`s resolve the same from the main document."""
        base = self.main.path.parent

        def rebase(ref: str, site: str) -> str:
            file_part, hash_, fragment = ref.partition("#")
            if "://" in file_part:
                return ref  # refused with its location when resolved
            if file_part:
                target = self._file_of(unquote(file_part), ref, document, document.location(join_pointer(site, "$ref")))
            else:
                target = document.path
            return quote(Path(os.path.relpath(target, base)).as_posix(), safe="/") + hash_ + fragment

        def walk(node: Any, site: str) -> Any:
            if isinstance(node, dict):
                return {
                    key: rebase(v, site)
                    if key == "$ref" and isinstance(v, str)
                    else v
                    if key == "example"
                    else walk(v, join_pointer(site, key))
                    for key, v in node.items()
                }
            if isinstance(node, list):
                return [walk(v, join_pointer(site, index)) for index, v in enumerate(node)]
            return node

        return walk(value, "")

    def _load(self, path: Path, where: Any) -> SourceDocument:
        if path not in self._documents:
            if not path.is_file():
                raise SpecError(
                    where, f"$ref names a file that does not exist: {path.name}", "the path is relative to the file that holds the $ref"
                )
            self._documents[path] = read_document(path, root=self._display_root)
        return self._documents[path]

    def check_all(self) -> None:
        """Resolve every `$ref` reachable from the main document, so that a bad one is reported
        with its location before any library follows it.

        Linear in the size of the documents: the walk builds a JSON Pointer only for the `$ref`s
        it finds (a parent chain stands for the rest), and no line is looked up unless one is bad.
        """
        pending = [self.main]
        seen: set[Path] = set()
        while pending:
            document = pending.pop()
            if document.path in seen:
                continue
            seen.add(document.path)
            stack: list[tuple[Any, _Site]] = [(document.data, None)]
            while stack:
                node, site = stack.pop()
                if isinstance(node, dict):
                    if "$ref" in node and isinstance(node["$ref"], str):
                        pointer = _pointer(site)
                        pending.append(self.resolve(node["$ref"], document, pointer).document)
                        self._check_cycles(node, document, pointer)
                    stack.extend((value, (site, key)) for key, value in node.items() if isinstance(value, (dict, list)))
                else:
                    stack.extend((value, (site, index)) for index, value in enumerate(node) if isinstance(value, (dict, list)))

    def _check_cycles(self, node: dict[str, Any], document: SourceDocument, pointer: str) -> None:
        """Follow what decides a schema without reading any of the instance: its `$ref`, and the
        members of its `allOf`/`anyOf`/`oneOf`/`not`. Coming back to a node on that path
        (`A: {$ref: B}`, `B: {$ref: A}`, or `A: {allOf: [{$ref: A}, ...]}`) means the schema never
        reaches a definition: validators and the models engine would recurse forever. Recursion
        through `properties` or `items` is fine and not followed."""
        cycle = self._find_cycle(node, document, pointer, self._acyclic, items=False)
        if cycle is not None:
            shown = " -> ".join(f"#{p}" if file == document.path else f"{self._documents[file].display}#{p}" for file, p in cycle)
            raise SpecError(
                document.location(join_pointer(pointer, "$ref")),
                f"$ref cycle: {shown} never reaches a schema",
                "make one of them a schema (for recursion, refer to it from a property or `items`)",
            )

    def _find_cycle(
        self, node: dict[str, Any], document: SourceDocument, pointer: str, acyclic: set[tuple[Path, str]], *, items: bool
    ) -> list[tuple[Path, str]] | None:
        """A path from `node` back onto itself through `$ref`, composition (and `items` when asked), or None.
        Iterative; `acyclic` remembers finished nodes across calls, so a whole document costs one pass."""
        path: list[tuple[Path, str]] = []
        on_path: set[tuple[Path, str]] = set()
        stack: list[tuple[dict[str, Any], SourceDocument, str, bool]] = [(node, document, pointer, False)]
        while stack:
            current, doc, where, leaving = stack.pop()
            key = (doc.path, where)
            if leaving:
                on_path.discard(key)
                path.pop()
                acyclic.add(key)
                continue
            if key in acyclic:
                continue
            if key in on_path:
                return [*path[path.index(key) :], key]
            on_path.add(key)
            path.append(key)
            stack.append((current, doc, where, True))
            stack.extend(
                (child, child_doc, child_where, False) for child, child_doc, child_where in self._deciding(current, doc, where, items=items)
            )
        return None

    def collection_loop(self) -> bool:
        """Whether a member of some `allOf` reaches itself again through `$ref`, composition or `items`.

        openapi-spec-validator gathers the property names of every `allOf` member by following
        exactly those keywords, without remembering where it has been (`_collect_properties`), so
        on such a (valid) document its semantic checks recurse until the stack runs out.
        """
        acyclic: set[tuple[Path, str]] = set()
        for document in self.documents:
            stack: list[tuple[Any, str]] = [(document.data, "")]
            while stack:
                node, pointer = stack.pop()
                if isinstance(node, dict):
                    members = node.get("allOf")
                    if isinstance(members, list):
                        for index, member in enumerate(members):
                            if isinstance(member, dict) and self._find_cycle(
                                member, document, join_pointer(pointer, "allOf", index), acyclic, items=True
                            ):
                                return True
                    stack.extend((value, join_pointer(pointer, key)) for key, value in node.items())
                elif isinstance(node, list):
                    stack.extend((value, join_pointer(pointer, index)) for index, value in enumerate(node))
        return False

    def _deciding(
        self, node: dict[str, Any], document: SourceDocument, pointer: str, *, items: bool = False
    ) -> list[tuple[dict[str, Any], SourceDocument, str]]:
        out: list[tuple[Any, SourceDocument, str]] = []
        if isinstance(node.get("$ref"), str):
            target = self.resolve(node["$ref"], document, pointer)
            out.append((target.value, target.document, target.pointer))
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = node.get(keyword)
            if isinstance(members, list):
                out.extend((member, document, join_pointer(pointer, keyword, index)) for index, member in enumerate(members))
        if isinstance(node.get("not"), dict):
            out.append((node["not"], document, join_pointer(pointer, "not")))
        if items and isinstance(node.get("items"), dict):
            out.append((node["items"], document, join_pointer(pointer, "items")))
        return [item for item in out if isinstance(item[0], dict)]

    def canonical(self, document: SourceDocument, pointer: str) -> tuple[SourceDocument, str]:
        """Where `pointer` really is when it passes through `$ref`s (as a validator's walk reports
        places): the document and pointer of the node it reaches, as far as it exists."""
        tokens = split_pointer(pointer)
        node, here = document.data, document
        out: list[str] = []
        for index, token in enumerate(tokens):
            for _ in range(64):  # a chain of `$ref`s (cycles were refused by `check_all`)
                if not (isinstance(node, dict) and token not in node and isinstance(node.get("$ref"), str)):
                    break
                target = self.resolve(node["$ref"], here, join_pointer("", *out))
                node, here, out = target.value, target.document, split_pointer(target.pointer)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                out.extend(tokens[index:])
                break
            out.append(token)
        return here, join_pointer("", *out)

    @property
    def documents(self) -> list[SourceDocument]:
        return list(self._documents.values())
