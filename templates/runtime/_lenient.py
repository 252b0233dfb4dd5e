# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""Lenient responses: what a response that does not match the spec becomes, instead of an error.

Only called after pydantic-core's own validation failed (the common case never gets here). The
typed model is built field by field: a missing required field reads as None, a value of another
type than the spec says is kept as received, unknown fields are kept (as always). Each model
records what did not match (`SDKModel.model_mismatches()`), and each model+field is logged once
(logger `<package>`, WARNING), so a server that drifts from its spec is visible without failing.
"""

from __future__ import annotations

import logging
import threading
import types
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic

from ._models import Mismatch

__all__ = ["LenientFailure", "validate_leniently"]

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

_adapters: dict[Any, pydantic.TypeAdapter[Any]] = {}
_field_types: dict[tuple[type[pydantic.BaseModel], str], Any] = {}
_logged: set[tuple[str, str, str]] = set()
_logged_lock = threading.Lock()
# Beyond this many distinct model+field pairs, nothing more is remembered (or logged): a hostile
# server cannot grow the set without bound.
_MAX_LOGGED = 10_000


class LenientFailure(ValueError):
    """The response is not even the kind of value the spec says (an object where a list is expected...)."""


def validate_leniently(tp: Any, data: Any, failed: Iterable[tuple[str | int, ...]] = ()) -> Any:
    """`data` (decoded JSON) as `tp`, keeping what does not fit; `LenientFailure` when the top level does not fit.

    `failed` are the locations pydantic reported: only the parts on their way are rebuilt piece by
    piece; every other part is validated once, whole (so the cost stays near one validation).
    """
    bad: frozenset[tuple[str | int, ...]] | None = None
    if failed:
        bad = frozenset(tuple(loc[:i]) for loc in failed for i in range(len(loc) + 1))
    value, mismatches = _build(tp, data, (), _name(tp), bad)
    if any(not m.path for m in mismatches):
        raise LenientFailure(mismatches[0].problem)
    return value


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or repr(tp)


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    try:
        adapter = _adapters.get(tp)
    except TypeError:  # an unhashable annotation (metadata objects): built each time, on the slow path only
        return pydantic.TypeAdapter(tp)
    if adapter is None:
        adapter = _adapters[tp] = pydantic.TypeAdapter(tp)
    return adapter


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _note(owner: str, path: tuple[str | int, ...], problem: str, value: Any) -> Mismatch:
    field = ".".join("[]" if isinstance(p, int) else str(p) for p in path) or "<root>"
    key = (owner, field, problem if problem in ("missing", "null") else "type")
    with _logged_lock:
        first = key not in _logged and len(_logged) < _MAX_LOGGED
        if first:
            _logged.add(key)
    if first:
        logger.warning(
            "response does not match the spec: %s.%s: %s (kept leniently; logged once)",
            owner,
            field,
            problem,
        )
    return Mismatch(path, problem, value)


Bad = frozenset[tuple[str | int, ...]] | None


def _build(tp: Any, data: Any, path: tuple[str | int, ...], owner: str, bad: Bad) -> tuple[Any, list[Mismatch]]:
    # `bad` (relative to the enclosing model, like `path`): where validation failed; None if unknown.
    if bad is None or path not in bad:
        try:
            return _adapter(tp).validate_python(data), []
        except pydantic.ValidationError:
            pass
    base = _strip(tp)
    origin = get_origin(base)
    if origin in (Union, types.UnionType):
        members = [m for m in get_args(base) if m is not type(None)]
        models = [m for m in members if isinstance(_strip(m), type) and issubclass(_strip(m), pydantic.BaseModel)]
        if isinstance(data, Mapping) and models:
            # The member whose fields the object shares most (a tagged union tells by its tag anyway).
            best = max(models, key=lambda m: len(set(data) & _keys(_strip(m))))
            return _build(best, data, path, owner, bad)
        if len(members) == 1:
            return _build(members[0], data, path, owner, bad)
    if isinstance(base, type) and issubclass(base, pydantic.RootModel):
        root, found = _build(_field_type(base, "root", base.model_fields["root"]), data, path, owner, bad)
        if any(m.path == path for m in found):  # the root itself does not fit: nothing to build
            return data, found
        instance = base.model_construct(root)
        private = dict(instance.__pydantic_private__ or {})
        private["_sdk_mismatches"] = tuple(Mismatch(m.path[len(path) :], m.problem, m.value) for m in found)
        object.__setattr__(instance, "__pydantic_private__", private)
        return instance, found
    if isinstance(base, type) and issubclass(base, pydantic.BaseModel) and isinstance(data, Mapping):
        return _model(base, data, path, bad)
    if origin in (list, tuple, set, frozenset) and isinstance(data, list):
        args = get_args(base)
        item = args[0] if args else Any
        out, found = [], []
        for index, element in enumerate(data):
            value, sub = _build(item, element, (*path, index), owner, bad)
            out.append(value)
            found.extend(sub)
        return out, found
    if origin in (dict, Mapping) and isinstance(data, Mapping):
        args = get_args(base)
        value_type = args[1] if len(args) == 2 else Any
        result: dict[Any, Any] = {}
        found = []
        for key, element in data.items():
            result[key], sub = _build(value_type, element, (*path, key), owner, bad)
            found.extend(sub)
        return result, found
    return data, [_note(owner, path, "null" if data is None else _error(tp, data), data)]


def _error(tp: Any, data: Any) -> str:
    try:
        _adapter(tp).validate_python(data)
    except pydantic.ValidationError as exc:
        return str(exc.errors()[0]["msg"])
    return "does not match"


def _keys(model: type[pydantic.BaseModel]) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _model(
    model: type[pydantic.BaseModel], data: Mapping[str, Any], path: tuple[str | int, ...], bad: Bad
) -> tuple[Any, list[Mismatch]]:
    owner = model.__name__
    # The failed locations below this model, relative to it (its fields' paths start afresh).
    inner = None if bad is None else frozenset(p[len(path) :] for p in bad if p[: len(path)] == path)
    values: dict[str, Any] = {}
    fields_set: set[str] = set()
    consumed: set[str] = set()
    found: list[Mismatch] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data:
            raw = data[key]
        elif name in data:
            key = name
            raw = data[name]
        else:
            if field.is_required():
                values[name] = None
                found.append(_note(owner, (key,), "missing", None))
            else:
                values[name] = field.get_default(call_default_factory=True)
            continue
        consumed.add(key)
        fields_set.add(name)
        values[name], sub = _build(_field_type(model, name, field), raw, (key,), owner, inner)
        found.extend(sub)
    extra = {k: v for k, v in data.items() if k not in consumed}
    instance = model.model_construct(_fields_set=fields_set, **values, **extra)
    # Recorded where the model keeps private state: no field or extra key can collide with it.
    private = dict(instance.__pydantic_private__ or {})
    private["_sdk_mismatches"] = tuple(found)
    object.__setattr__(instance, "__pydantic_private__", private)
    # The caller sees the same mismatches with paths from its own level.
    return instance, [Mismatch((*path, *m.path), m.problem, m.value) for m in found]


def _field_type(model: type[pydantic.BaseModel], name: str, field: Any) -> Any:
    key = (model, name)
    tp = _field_types.get(key)
    if tp is None:
        # With its metadata (constraints, union modes), so a value is judged as the model would.
        tp = _field_types[key] = field.rebuild_annotation() if field.metadata else field.annotation
    return tp
