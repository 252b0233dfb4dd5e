"""Apply OpenAPI Overlay 1.0 documents to a loaded spec.

Targets are RFC 9535 JSONPath expressions (python-jsonpath in strict mode). `update` merges
objects recursively and appends to arrays; `remove: true` deletes the selected nodes. An action
whose target selects nothing is an error: a silent no-op hides a spec change that moved things.
A union (`$.paths['/a','/b'].get`) one of whose members selects nothing is a warning: the action
still applies to the rest, but the member that stopped matching is named.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from ..errors import Diagnostics, SpecError, join_pointer
from .documents import SourceDocument


@cache
def _environment() -> Any:
    """The strict JSONPath environment; python-jsonpath is imported on first use (0.05 s of start-up a spec without overlays need not pay)."""
    import jsonpath

    return jsonpath.JSONPathEnvironment(strict=True)


def _merge(target: Any, update: Any) -> Any:
    if isinstance(target, dict) and isinstance(update, dict):
        for key, value in update.items():
            target[key] = _merge(target[key], value) if key in target else copy.deepcopy(value)
        return target
    if isinstance(target, list) and isinstance(update, list):
        target.extend(copy.deepcopy(update))
        return target
    return copy.deepcopy(update)


def _check_shape(overlay: SourceDocument) -> list[dict[str, Any]]:
    data = overlay.data
    version = data.get("overlay")
    if not isinstance(version, str) or not version.startswith("1."):
        raise SpecError(overlay.location("/overlay"), "not an OpenAPI Overlay 1.x document (missing or wrong `overlay` version)")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise SpecError(overlay.location("/actions"), "an overlay needs a non-empty `actions` list")
    for index, action in enumerate(actions):
        pointer = join_pointer("/actions", index)
        if not isinstance(action, dict) or not isinstance(action.get("target"), str):
            raise SpecError(overlay.location(pointer), "each action needs a `target` JSONPath string")
        if "update" not in action and action.get("remove") is not True:
            raise SpecError(overlay.location(pointer), "an action needs `update` or `remove: true`")
    return actions


def check_extends(overlay: SourceDocument, spec: SourceDocument) -> None:
    """An overlay that names the document it extends must be applied to that document."""
    extends = overlay.data.get("extends")
    if not isinstance(extends, str) or "://" in extends:
        return
    expected = (overlay.path.parent / extends).resolve()
    if expected != spec.path:
        raise SpecError(
            overlay.location("/extends"),
            f"overlay extends {extends!r}, but it is applied to {spec.display}",
            "apply the overlay to the file it names, or fix `extends`",
        )


def _dead_union_members(query: Any, data: Any) -> list[str]:
    """The members of each union segment (`['a', 'b']`) of a compiled query that, alone, select nothing."""
    import jsonpath

    dead: list[str] = []
    segments = list(query.segments)
    for position, segment in enumerate(segments):
        if len(segment.selectors) < 2:
            continue
        for selector in segment.selectors:
            alone = type(segment)(env=segment.env, token=segment.token, selectors=(selector,))
            narrowed = jsonpath.JSONPath(env=query.env, segments=[*segments[:position], alone, *segments[position + 1 :]])
            if next(iter(narrowed.finditer(data)), None) is None:
                dead.append(f"{selector} in {segment}")
    return dead


def apply_overlay(spec: SourceDocument, overlay: SourceDocument, diagnostics: Diagnostics | None = None) -> None:
    """Apply every action of `overlay` to `spec.data`, in order, in place (union members that match nothing: warnings)."""
    import jsonpath

    check_extends(overlay, spec)
    for index, action in enumerate(_check_shape(overlay)):
        pointer = join_pointer("/actions", index, "target")
        try:
            query = _environment().compile(action["target"])
            matches = list(query.finditer(spec.data))
        except jsonpath.JSONPathError as exc:
            raise SpecError(overlay.location(pointer), f"invalid JSONPath: {exc}") from None
        if not matches:
            raise SpecError(
                overlay.location(pointer),
                f"target {action['target']!r} matches nothing in {spec.display}",
                "the vendor spec may have moved this node; update the overlay",
            )
        if diagnostics is not None and isinstance(query, jsonpath.JSONPath):
            for member in _dead_union_members(query, spec.data):
                diagnostics.warn(
                    overlay.location(pointer),
                    f"target {action['target']!r}: {member} matches nothing in {spec.display} (the action applies to the "
                    "other members; the vendor spec may have moved this node: update or drop it)",
                    kind="overlay union member that matches nothing",
                )
        if action.get("remove") is True:
            # Remove from the end so that indices of earlier array matches stay valid.
            for match in reversed(matches):
                parent = match.parent.obj if match.parent is not None else None
                key = match.parts[-1] if match.parts else None
                if isinstance(parent, dict) and key in parent:
                    del parent[key]
                elif isinstance(parent, list) and isinstance(key, int):
                    del parent[key]
                else:
                    raise SpecError(overlay.location(pointer), "cannot remove the document root")
            continue
        update = action["update"]
        for match in matches:
            if isinstance(match.obj, dict) and not isinstance(update, dict):
                raise SpecError(overlay.location(join_pointer("/actions", index, "update")), "an update of an object must be an object")
            if not isinstance(match.obj, (dict, list)):
                raise SpecError(overlay.location(pointer), "Overlay 1.0 can only update objects and arrays; target the parent object")
            _merge(match.obj, update)
