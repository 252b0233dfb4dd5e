"""Split an API's models module into one module per group, so a group loads only the models it uses.

The models engine writes one module per API; for a large API (GitHub: 7,000 models) importing it
takes seconds. The split keeps the import path (`<package>.models.<api>`) as a package whose
`__init__` is a lazy facade (PEP 562 `__getattr__`, with real imports for type checkers), and puts:

* each model used by exactly one group (directly or through other models) in `<group>.py`;
* every other model (used by several groups, by none, or by WebSocket channels) in `_shared.py`.

A model's dependencies are used by every group that uses the model, so a group module needs only
itself and `_shared`, and `_shared` needs nothing else: no import cycles, by construction.
"""

from __future__ import annotations

import ast
from typing import Any

from ..build.module_names import ENUM_BASES
from ..errors import SdkgenError
from ..ir import Api

SHARED = "_shared"
_ENUM_BASES = ENUM_BASES


def _names_in(node: ast.ClassDef, names: set[str]) -> set[str]:
    """The models a class refers to: in its bases, annotations and quoted forward references."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and child.id in names:
            found.add(child.id)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str) and child.value in names:
            found.add(child.value)
    found.discard(node.name)
    return found


def _closure(roots: set[str], refs: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in refs]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(refs[name] - seen)
    return seen


def _kind_of_class(node: ast.ClassDef) -> str:
    bases = [ast.unparse(b) for b in node.bases]
    if any(b in _ENUM_BASES for b in bases):
        return "enum"
    return "root" if any(b.startswith("RootModel") for b in bases) else "object"


def _kind_of_schema(schema: dict[str, Any]) -> str:
    """ "enum", "object" (properties and nothing that could make it a root model) or "any" (the engine decides)."""
    if isinstance(schema.get("enum"), list) and not schema.get("properties"):  # an enum with properties: the engine decides
        return "enum"
    if schema.get("properties") and not any(k in schema for k in ("allOf", "anyOf", "oneOf")) and schema.get("type") in (None, "object"):
        return "object"
    return "any"


def _same_kind(node: ast.ClassDef, schema: dict[str, Any]) -> bool:
    expected, written = _kind_of_schema(schema), _kind_of_class(node)
    return expected in ("any", written)


def _check_engine_names(api: Api, classes: list[ast.ClassDef]) -> None:
    """Every model of the IR is a class of the engine's, of the kind the IR's schema says.

    The IR names every model so that the engine need not, and mostly it does not; where it still
    merges or splits schemas itself (overlapping `allOf` properties, a discriminated union beside
    properties), its own classes are allowed, but never in place of one of ours: a model missing
    (a group's import would fail) or taken by another class of the same name (`Self` given to an
    enum and the component renamed `Self1`) is a generator bug, and nothing is written.
    """
    by_name = {c.name: c for c in classes}
    missing = sorted(m.name for m in api.models if m.name not in by_name)
    taken = sorted(m.name for m in api.models if m.name in by_name and not _same_kind(by_name[m.name], m.schema))
    if missing or taken:
        raise SdkgenError(
            f"{api.source}: internal error: the models engine wrote no class for {missing[:5]} and another kind of class for {taken[:5]}"
        )


def owners(api: Api, classes: list[ast.ClassDef]) -> dict[str, str]:
    """Model name → the module it goes to (a group's module, or `_shared`)."""
    names = {c.name for c in classes}
    refs = {c.name: _names_in(c, names) for c in classes}
    used_by: dict[str, set[str]] = {name: set() for name in names}
    _check_engine_names(api, classes)
    for group in api.groups:
        for name in _closure(set(group.model_imports), refs):
            used_by[name].add(group.module)
    # Models no group uses (WebSocket payloads, unreferenced components) live in `_shared`, and so
    # does everything they use: `_shared` must import from no group module.
    for name in _closure({n for n, groups in used_by.items() if not groups}, refs):
        used_by[name].add(SHARED)
    return {name: next(iter(groups)) if len(groups) == 1 else SHARED for name, groups in used_by.items()}


def split_models(source: str, api: Api, header: str) -> dict[str, str]:
    """Relative path (in `models/<api>/`) → source, from the engine's single module `source`.

    `header` opens every module (the generated-file comment and the API's models docstring).
    """
    tree = ast.parse(source)
    # Lines as `ast` counts them: str.splitlines would also break at \x1c, \x85 or U+2028 inside string literals.
    lines = [line + "\n" for line in source.split("\n")]
    imports = [
        ast.get_source_segment(source, node) or ""
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom) and not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    module_of = owners(api, classes)
    names = set(module_of)
    bodies: dict[str, list[str]] = {}
    needs: dict[str, set[str]] = {}
    rebuild: dict[str, list[str]] = {}
    for node in classes:
        start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
        module = module_of[node.name]
        bodies.setdefault(module, []).append("".join(lines[start : node.end_lineno]))
        refs = _names_in(node, names)
        needs.setdefault(module, set()).update(n for n in refs if module_of[n] != module)
        is_enum = any(ast.unparse(b) in _ENUM_BASES for b in node.bases)
        if not is_enum and any(module_of[n] == module for n in refs):
            rebuild.setdefault(module, []).append(node.name)
    files: dict[str, str] = {}
    for module in sorted(bodies):
        shared = sorted(needs.get(module, set()))
        if module == SHARED and shared:
            raise AssertionError(f"_shared would import {shared} from a group module")  # impossible by construction
        parts = [header, "from __future__ import annotations\n\n", *(i + "\n" for i in imports)]
        if shared:
            parts.append(f"from .{SHARED} import {', '.join(shared)}\n")
        parts.append("\n\n" + "\n\n".join(bodies[module]))
        if rebuild.get(module):
            # A model naming one defined later in this module is left incomplete at class creation;
            # finish each here, so a model in another module that extends it inherits resolved fields.
            parts.append("\n\n" + "".join(f"{name}.model_rebuild()\n" for name in rebuild[module]))
        files[f"{module}.py"] = "".join(parts)
    files["__init__.py"] = _facade(header, module_of)
    return files


def _facade(header: str, module_of: dict[str, str]) -> str:
    by_module: dict[str, list[str]] = {}
    for name in sorted(module_of):
        by_module.setdefault(module_of[name], []).append(name)
    checking = "".join(
        f"    from .{module} import {', '.join(f'{n} as {n}' for n in members)}\n" for module, members in sorted(by_module.items())
    )
    table = "".join(f"    {name!r}: {module_of[name]!r},\n" for name in sorted(module_of))
    exported = "".join(f"    {name!r},\n" for name in sorted(module_of))
    return (
        header
        + "from __future__ import annotations\n\n"
        + f"import importlib\nfrom typing import {'TYPE_CHECKING, Any' if checking else 'Any'}\n\n"
        + (f"if TYPE_CHECKING:\n{checking}\n" if checking else "")
        + f"__all__ = [\n{exported}]\n\n"
        + "# Where each model lives: a group's own module, or `_shared`. A model is imported on first use.\n"
        + f"_MODULES: dict[str, str] = {{\n{table}}}\n\n\n"
        + "def __getattr__(name: str) -> Any:\n"
        + "    module = _MODULES.get(name)\n"
        + "    if module is None:\n"
        + '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
        + '    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)\n'
        + "    globals()[name] = value  # later lookups skip this function\n"
        + "    return value\n\n\n"
        + "def __dir__() -> list[str]:\n"
        + "    return sorted({*globals(), *_MODULES})\n"
    )
