"""Plan an API's models modules: which module each model goes to, in what order, with what imports.

A large API (GitHub: 7,000 models) would take seconds to import as one module, so the models of
`<package>.models.<api>` are a package whose `__init__` is a lazy facade (PEP 562 `__getattr__`,
with real imports for type checkers), and:

* each model used by exactly one group (directly or through other models) goes to `<group>.py`;
* every other model (used by several groups, by none, or by WebSocket channels) to `_shared.py`.

A model's dependencies are used by every group that uses the model, so a group module needs only
itself and `_shared`, and `_shared` needs nothing else: no import cycles, by construction.
Everything here is read from the IR (`Model.refs`, `Model.bases`, `Model.root`); nothing is parsed.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from ..ir import Api, Model

SHARED = "_shared"


@dataclass(frozen=True)
class ModelsModule:
    """One module of models: its models in definition order and what it needs."""

    name: str
    models: tuple[Model, ...]
    imports: tuple[tuple[str, tuple[str, ...]], ...]  # (module, names), `_models` meaning the SDK's runtime
    shared: tuple[str, ...]  # the models it imports from `_shared`
    quoted: tuple[str, ...]  # root models whose base must name its type as a string (a class defined later)
    rebuild: tuple[str, ...]  # models finished with `model_rebuild()` at the end of the module


def _closure(roots: set[str], refs: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in refs]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(r for r in refs[name] if r in refs and r not in seen)
    return seen


def owners(api: Api) -> dict[str, str]:
    """Model name → the module it goes to (a group's module, or `_shared`)."""
    refs = {m.name: m.refs for m in api.models}
    used_by: dict[str, set[str]] = {name: set() for name in refs}
    for group in api.groups:
        for name in _closure(set(group.model_imports), refs):
            used_by[name].add(group.module)
    # Models no group uses (WebSocket payloads, unreferenced components) live in `_shared`, and so
    # does everything they use: `_shared` must import from no group module.
    for name in _closure({n for n, groups in used_by.items() if not groups}, refs):
        used_by[name].add(SHARED)
    return {name: next(iter(groups)) if len(groups) == 1 else SHARED for name, groups in used_by.items()}


def _definition_needs(model: Model) -> tuple[str, ...]:
    """The classes a model's definition evaluates when the module runs: its bases, and a root model's type."""
    if model.root is not None:
        return tuple(n for n in model.root.models if n != model.name)
    return model.bases


def _components(names: list[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's, iterative), each in `names` order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    position = {n: i for i, n in enumerate(names)}
    for start in names:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start], key=position.__getitem__)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            advanced = False
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges[target], key=position.__getitem__))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                out.append(sorted(members, key=position.__getitem__))
    return out


def _stable_order(nodes: list[str], deps: dict[str, set[str]], key: dict[str, int]) -> list[str]:
    """Dependencies first; among the nodes that are ready, the one with the smallest key."""
    waiting = {n: len(deps[n]) for n in nodes}
    dependents: dict[str, list[str]] = {n: [] for n in nodes}
    for node in nodes:
        for dep in deps[node]:
            dependents[dep].append(node)
    ready = [(key[n], n) for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        out.append(node)
        for dependent in dependents[node]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (key[dependent], dependent))
    if len(out) < len(nodes):  # a cycle of bases cannot occur; kept whole anyway
        placed = set(out)
        out.extend(sorted((n for n in nodes if n not in placed), key=key.__getitem__))
    return out


def definition_order(models: list[Model]) -> tuple[list[Model], tuple[str, ...]]:
    """The models of one module in the order their definitions can run, and the root models to quote.

    Sorted by name, except that a class comes after the classes its definition evaluates (bases,
    and the type of a root model). Root models that refer to each other in a cycle name their type
    as a string, resolved by `model_rebuild()`.
    """
    by_name = {m.name: m for m in models}
    names = sorted(by_name)
    key = {n: i for i, n in enumerate(names)}
    needs = {n: {d for d in _definition_needs(by_name[n]) if d in by_name} for n in names}
    bases = {n: {b for b in by_name[n].bases if b in by_name} for n in names}
    components = _components(names, needs)
    component_of = {n: i for i, members in enumerate(components) for n in members}
    first = {i: key[members[0]] for i, members in enumerate(components)}
    ids = [str(i) for i in range(len(components))]
    component_deps = {
        str(i): {str(component_of[d]) for n in members for d in needs[n] if component_of[d] != i} for i, members in enumerate(components)
    }
    ordered: list[str] = []
    # A root model whose type names itself (`ErrorDetails: dict[str, ErrorDetails] | InnerErrors`).
    quoted = {n for n in names if n in (root.models if (root := by_name[n].root) is not None else ())}
    for cid in _stable_order(ids, component_deps, {str(i): first[i] for i in range(len(components))}):
        members = components[int(cid)]
        if len(members) > 1:
            members = _stable_order(members, {n: bases[n] & set(members) for n in members}, key)
            defined: set[str] = set()
            for name in members:
                if needs[name] - bases[name] - defined:
                    quoted.add(name)
                defined.add(name)
        ordered.extend(members)
    return [by_name[n] for n in ordered], tuple(sorted(quoted))


def plan_modules(api: Api) -> list[ModelsModule]:
    """Every models module of one API (besides its facade), sorted by name."""
    module_of = owners(api)
    grouped: dict[str, list[Model]] = {}
    for model in api.models:
        grouped.setdefault(module_of[model.name], []).append(model)
    modules: list[ModelsModule] = []
    for module in sorted(grouped):
        ordered, quoted = definition_order(grouped[module])
        shared = sorted({r for m in ordered for r in m.refs if module_of.get(r, module) != module})
        if module == SHARED and shared:
            raise AssertionError(f"_shared would import {shared} from a group module")  # impossible by construction
        imports: dict[str, set[str]] = {}
        for model in ordered:
            for item in model.imports:
                source, _, name = item.partition(":")
                imports.setdefault(source, set()).add(name)
        rebuild = tuple(m.name for m in ordered if m.kind != "enum" and any(module_of.get(r) == module for r in m.refs))
        modules.append(
            ModelsModule(
                name=module,
                models=tuple(ordered),
                imports=tuple((source, tuple(sorted(names))) for source, names in sorted(imports.items())),
                shared=tuple(shared),
                quoted=quoted,
                rebuild=rebuild,
            )
        )
    return modules
