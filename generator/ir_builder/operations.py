"""Pieces shared by the OpenAPI and OpenRPC builders: parameters, groups and name checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Diagnostics, Location, SpecError
from ..ir import Deprecation, FieldMapping, Group, Operation, Param
from .module_names import DECORATOR_NAMES, GROUP_MODULE_NAMES, RESERVED_PARAM_NAMES
from .naming import RESERVED_CLASS_NAMES, RESERVED_MEMBER_NAMES, class_name, clean_text, pascal_case, python_name


def text(value: Any) -> str:
    """A description or summary as clean text (specs sometimes put numbers or nulls there)."""
    return clean_text(value)


def param_name(wire_name: str, taken: set[str], location: str) -> str:
    """A keyword-safe argument name, unique within one method."""
    name = python_name(wire_name, fallback=f"{location}_param")
    if name in RESERVED_PARAM_NAMES or name in taken:
        name = python_name(f"{location}_{wire_name}", fallback=f"{location}_param")
    while name in RESERVED_PARAM_NAMES or name in taken:
        name += "_"
    taken.add(name)
    return name


def ordered_params(params: Iterable[Param]) -> tuple[Param, ...]:
    """Path parameters first (in path order), then required, then optional: the signature order."""
    items = list(params)
    path = [p for p in items if p.location == "path"]
    rest = [p for p in items if p.location != "path"]
    return tuple(path + [p for p in rest if p.required] + [p for p in rest if not p.required])


@dataclass
class GroupCollector:
    """Collects operations per group and refuses two methods with one Python name."""

    api_name: str
    groups: dict[str, list[Operation]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    _seen: dict[tuple[str, str], Location] = field(default_factory=dict)
    _models: dict[str, set[str]] = field(default_factory=dict)

    diagnostics: Diagnostics | None = None

    def add(self, title: str, operation: Operation, location: Location, models: set[str]) -> None:
        group = python_name(title, fallback="default")
        if group in RESERVED_MEMBER_NAMES or group in DECORATOR_NAMES:
            group += "_"
        if operation.name in DECORATOR_NAMES:
            operation = dataclasses.replace(operation, name=operation.name + "_")
        key = (group, operation.name)
        if key in self._seen:
            # Two different spec names that read the same in Python (`getThing`, `get_thing`; or the
            # same words on two paths): the later one gets a name from what tells it apart.
            renamed = replace(operation, name=self._distinct_name(group, operation))
            if self.diagnostics is not None:
                self.diagnostics.warn(
                    location,
                    f"operation named {self.api_name}.{group}.{renamed.name}(), as {operation.name}() is the one at {self._seen[key]}",
                    kind="operations renamed apart (name them with `x-sdkgen-name` in an overlay)",
                )
            operation, key = renamed, (group, renamed.name)
        if operation.name in RESERVED_MEMBER_NAMES:
            raise SpecError(location, f"operation name {operation.name!r} is reserved by the SDK", "rename it with `x-sdkgen-name`")
        self._seen[key] = location
        self.groups.setdefault(group, []).append(operation)
        self.titles.setdefault(group, title)
        self._models.setdefault(group, set()).update(models)

    def _distinct_name(self, group: str, operation: Operation) -> str:
        """The operation's name plus what sets it apart: its path's last part, its scope or its method."""
        suffixes: list[str] = []
        if operation.transport == "http":
            segments = [s for s in operation.path.split("/") if s]
            last = segments[-1] if segments else ""
            if last.startswith("{") and last.endswith("}"):
                suffixes.append(f"by_{last[1:-1]}")
            elif last:
                suffixes.append(last)
            suffixes.append(operation.http_method.lower())
        else:
            scope, _, _ = operation.rpc_method.rpartition("/")
            suffixes.append(scope.replace("/", "_"))
        for suffix in suffixes:
            candidate = python_name(f"{operation.name}_{suffix}", fallback=operation.name)
            if (group, candidate) not in self._seen:
                return candidate
        number = 2
        while (group, f"{operation.name}_{number}") in self._seen:
            number += 1
        return f"{operation.name}_{number}"

    def build(self, model_names: set[str]) -> tuple[Group, ...]:
        """The groups, sorted by name; a class name that a model already has gets a `Resource` suffix."""
        return tuple(
            Group(
                name=name,
                class_name=_group_class(name, model_names),
                title=self.titles[name],
                description=self.descriptions.get(self.titles[name], ""),
                module=name,
                operations=tuple(self.groups[name]),
                model_imports=tuple(sorted(self._models[name])),
            )
            for name in sorted(self.groups)
        )


def _class_with_suffix(name: str, suffix: str, taken: set[str] | frozenset[str], defines: Iterable[str]) -> str:
    """`name` as a class name, plus `suffix` when one of the classes it `defines` ({} = the name) is `taken`.

    Unlike a model's name, a reserved name (`Mapping`) gets the class's own suffix, not `Model`.
    """

    def free(candidate: str) -> bool:
        return not any(pattern.format(candidate) in taken for pattern in defines)

    reserved = pascal_case(name) in RESERVED_CLASS_NAMES
    plain = pascal_case(name) if reserved else class_name(name)
    if not reserved and free(plain):
        return plain
    # A model may have the suffixed name too (Azure's `SubscriptionDiagnosticSettingsResource`).
    alternatives = (plain + suffix, plain + "Operations", *(f"{plain}{suffix}{n}" for n in range(2, len(taken) + 3)))
    return next(c for c in alternatives if free(c))


def api_class_name(name: str) -> str:
    """The class of an API (`client.<name>`), which its module defines beside what it imports."""
    return _class_with_suffix(name, "Api", GROUP_MODULE_NAMES, ("{}", "Async{}"))


def _group_class(name: str, model_names: set[str]) -> str:
    """The group's class name; `Resource` is added when a model or an import already has one of its four classes' names."""
    return _class_with_suffix(
        name, "Resource", model_names | GROUP_MODULE_NAMES, ("{}", "Async{}", "{}WithRawResponse", "Async{}WithRawResponse")
    )


def idempotency_of(node: dict[str, Any], params: Iterable[Param], default: bool, location: Location) -> tuple[bool, str]:
    """`x-idempotent` (or the protocol's default) and the parameter named by `x-sdkgen-idempotency-key`.

    A call that carries the key may be retried after it may have reached the server: the server
    recognises the repeat (an order's `client_order_id`).
    """
    flag = node.get("x-idempotent")
    idempotent = flag if isinstance(flag, bool) else default
    key = node.get("x-sdkgen-idempotency-key")
    if key is None:
        return idempotent, ""
    for param in params:
        if param.wire_name == key:
            return idempotent, param.name
    raise SpecError(location, f"`x-sdkgen-idempotency-key` names {key!r}, which is not a parameter or body field of this operation")


def deprecation_of(node: dict[str, Any], subject: str) -> Deprecation | None:
    """Read `deprecated`, `x-sunset` and `x-replacement`; the replacement is resolved later."""
    if node.get("deprecated") is not True:
        return None
    sunset = node.get("x-sunset")
    sunset_text = sunset if isinstance(sunset, str) else str(sunset) if sunset is not None else ""
    replacement = node.get("x-replacement")
    target, official, note = "", False, ""
    if isinstance(replacement, dict):
        target = str(replacement.get("method") or replacement.get("operation") or "")
        if replacement.get("api"):
            target = f"{replacement['api']}:{target}"
        official = replacement.get("official") is True
        note = text(replacement.get("note"))
    mappings = node.get("x-field-mapping")
    field_mappings = tuple(
        FieldMapping(
            source=str(m.get("from", "")), target=str(m.get("to", "")), official=m.get("official") is True, note=text(m.get("note"))
        )
        for m in (mappings if isinstance(mappings, list) else [])
        if isinstance(m, dict)
    )
    message = f"{subject} is deprecated"
    if sunset_text:
        message += f" and is retired on {sunset_text}"
    return Deprecation(
        message=message,
        sunset=sunset_text,
        replacement=target,
        replacement_target=target,
        official=official,
        note=note,
        field_mappings=field_mappings,
    )
