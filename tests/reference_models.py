"""datamodel-code-generator as the reference for our models, and JSON instances drawn from the IR.

`reference_pair` builds one spec set once, renders our models from the IR (`render_models`, as the
pipeline does) and the reference models from the same normalised schemas by the engine (with the
options sdkgen used when the engine rendered the SDK's models), and imports both. `instances`
draws JSON values for a model from its IR types: valid ones, and at every level sometimes an
arbitrary JSON value instead, so that both sides are asked to reject as well as to accept.
"""

from __future__ import annotations

import importlib
import math
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from generator.config import Config
from generator.errors import Diagnostics
from generator.ir import Api, Model, TypeRef
from generator.ir_builder.openapi import OpenApiBuilder
from generator.ir_builder.openrpc import OpenRpcBuilder
from generator.ir_builder.plugins import PluginRegistry
from generator.ir_builder.sdk import load_api
from generator.load.background import validating
from generator.pipeline import DEFAULT_TEMPLATES
from generator.recursion import deep_recursion
from generator.render.models import render_models

ENGINE_TEMPLATES = Path(__file__).resolve().parent / "fixtures" / "reference"
_RUNTIME_TYPES = {("string", "decimal"): "DecimalString", ("number", "decimal"): "JsonNumber"}
_OPEN_ENUMS = ("SDKEnum", "SDKIntEnum", "SDKValueEnum")


def _with_runtime_types(node: Any, package: str) -> Any:
    """A copy of a schema where `format: decimal` points the engine at the runtime's types (as sdkgen did)."""
    if isinstance(node, list):
        return [_with_runtime_types(item, package) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_runtime_types(value, package) for key, value in node.items()}
    kind = out.get("type")
    kinds = [str(k) for k in (kind if isinstance(kind, list) else [kind]) if k not in ("null", None)]
    runtime_type = _RUNTIME_TYPES.get((kinds[0], "decimal")) if out.get("format") == "decimal" and len(kinds) == 1 else None
    if runtime_type is not None:
        out["customTypePath"] = f"{package}._models.{runtime_type}"
    return out


def engine_spelling(node: Any) -> Any:
    """The same schema, spelled so the engine keeps what it means.

    `type: [object, null]` with `additionalProperties` (and `[array, null]` with `items`) lost its
    value types in the engine (`dict[str, Any]`); as `anyOf` of one type each, it keeps them.
    """
    if isinstance(node, list):
        return [engine_spelling(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: engine_spelling(value) for key, value in node.items()}
    kinds = out.get("type")
    if isinstance(kinds, list) and len(kinds) > 1 and {"object", "array"} & set(kinds) and not out.get("properties"):
        rest = {k: v for k, v in out.items() if k not in ("type", "description")}
        docs = {"description": out["description"]} if "description" in out else {}
        return {**docs, "anyOf": [{"type": kind, **rest} if kind in ("object", "array") else {"type": kind} for kind in kinds]}
    return out


def engine_source(defs: dict[str, dict[str, Any]], package: str) -> str:
    """The reference models module: datamodel-code-generator on the bundle, with sdkgen's former options."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion

    bundle = {"$defs": {name: _with_runtime_types(engine_spelling(schema), package) for name, schema in defs.items()}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = generate(
            bundle,
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            base_class=f"{package}._models.SDKModel",
            disable_timestamp=True,
            use_schema_description=True,
            use_field_description=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_subclass_enum=True,
            capitalise_enum_members=True,
            keep_model_order=True,
            formatters=[],
            custom_template_dir=ENGINE_TEMPLATES,
        )
    assert isinstance(source, str)
    bases = [base for base in _OPEN_ENUMS if f"({base}):" in source]
    if bases:  # the enum template names the runtime's open enum bases
        source = source.replace(
            "from __future__ import annotations\n",
            f"from __future__ import annotations\n\nfrom {package}._models import {', '.join(bases)}\n",
            1,
        )
    return source


def build_apis(config: Config) -> list[tuple[Api, dict[str, dict[str, Any]], set[str]]]:
    """Each API of `config`: its IR, its normalised named schemas, and the models whose extra fields the spec types."""
    out = []
    with deep_recursion(), validating(Diagnostics()) as validations:
        for index, source in enumerate(config.apis):
            documents = load_api(source.path, source.kind, source.overlays, config, validations)
            builder_class = OpenApiBuilder if source.kind == "openapi" else OpenRpcBuilder
            plugins = PluginRegistry(config.plugins, config.root)
            builder = builder_class(f"api{index}", documents, Diagnostics(), config.env_prefix, plugins)
            api = builder.build()
            defs = builder.bundle.definitions()
            typed_extras = {name for name, schema in defs.items() if isinstance(schema.get("additionalProperties"), dict)}
            out.append((api, defs, typed_extras))
    return out


@dataclass
class Pair:
    """Our models and the reference models of one API, imported."""

    api: Api
    defs: dict[str, dict[str, Any]]
    typed_extras: set[str]
    ours: ModuleType
    reference: ModuleType

    def classes(self, name: str) -> tuple[Any, Any]:
        return getattr(self.ours, name), getattr(self.reference, name, None)


def install(folder: Path, package: str, api: Api, defs: dict[str, dict[str, Any]]) -> tuple[ModuleType, ModuleType]:
    """Write both packages under `folder` and import them: `<package>.models.<api>` (ours) and `<package>_ref.models`."""
    runtime = (DEFAULT_TEMPLATES / "runtime" / "_models.py").read_text(encoding="utf-8")
    ours = folder / package
    (ours / "models" / api.models_module).mkdir(parents=True)
    for path in (ours / "__init__.py", ours / "models" / "__init__.py"):
        path.write_text("", encoding="utf-8")
    (ours / "_models.py").write_text(runtime, encoding="utf-8")
    for name, text in render_models(api, package, '"""Models."""\n\n', DEFAULT_TEMPLATES).items():
        (ours / "models" / api.models_module / name).write_text(text, encoding="utf-8")
    reference = folder / f"{package}_ref"
    reference.mkdir()
    (reference / "__init__.py").write_text("", encoding="utf-8")
    (reference / "_models.py").write_text(runtime, encoding="utf-8")
    (reference / "models.py").write_text(engine_source(defs, f"{package}_ref"), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"{package}.models.{api.models_module}"), importlib.import_module(f"{package}_ref.models")
    finally:
        sys.path.remove(str(folder))


def uninstall(package: str, folder: Path | None = None) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] in (package, f"{package}_ref")]:
        del sys.modules[name]
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


# -- instances ------------------------------------------------------------------------------------

_KEYS = st.sampled_from(["a", "b", "x", "type", "name", "id", "zz_extra"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False, width=32) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=6,
)
_DECIMAL_TEXT = st.sampled_from(["0", "1.5", "-2", "1e3", "0.00000001", "", "abc", "1,5", " 3 "])
_DATE_TIMES = st.sampled_from(["2024-01-02T03:04:05Z", "2024-01-02T03:04:05+01:00", "2024-01-02T03:04:05", "2024-01-02", "x"])
_DATES = st.sampled_from(["2024-01-02", "2024-13-02", "2024-01-02T03:04:05Z", "x"])


class Instances:
    """Hypothesis strategies for JSON instances of an API's models, drawn from the IR."""

    def __init__(self, models: tuple[Model, ...], no_extras: set[str], *, noise: bool = True) -> None:
        self._models = {m.name: m for m in models}
        self._no_extras = no_extras
        self._noise = noise

    def of_model(self, name: str, depth: int = 3) -> st.SearchStrategy[Any]:
        model = self._models[name]
        if model.kind == "enum":
            values = [m.value for m in model.members if not (isinstance(m.value, float) and not math.isfinite(m.value))]
            unknown = {"SDKEnum": st.text(max_size=3), "SDKIntEnum": st.integers(-3, 40)}.get(model.enum_base, st.text(max_size=2))
            return self._noisy(st.sampled_from(values) | unknown if values else unknown)
        if model.kind == "root":
            assert model.root is not None
            return self.of_type(model.root, depth)
        fields = self._fields(name)
        if depth <= 0:
            return st.just({})
        required = {f.wire_name: self.of_type(f.type, depth - 1) for f in fields.values() if f.required}
        optional = {f.wire_name: self.of_type(f.type, depth - 1) for f in fields.values() if not f.required}
        base = st.fixed_dictionaries(required, optional=optional)
        if name not in self._no_extras and not any(b in self._no_extras for b in self._ancestors(name)):
            base = st.builds(
                lambda d, extra: {**extra, **d}, base, st.dictionaries(st.sampled_from(["zz_extra", "zz_other"]), json_values, max_size=1)
            )
        return self._noisy(base)

    def _ancestors(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        model = self._models.get(name)
        if model is None or name in seen:
            return set()
        out: set[str] = set()
        for base in model.bases:
            out |= {base} | self._ancestors(base, seen | {name})
        return out

    def _fields(self, name: str, seen: frozenset[str] = frozenset()) -> dict[str, Any]:
        model = self._models[name]
        fields: dict[str, Any] = {}
        for base in model.bases:
            if base in self._models and base not in seen:
                fields.update(self._fields(base, seen | {name}))
        for field in model.fields:
            fields = {k: v for k, v in fields.items() if v.wire_name != field.wire_name}
            fields[field.name] = field
        return fields

    def _noisy(self, valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(valid, valid, valid, json_values) if self._noise else valid

    def of_type(self, kind: TypeRef, depth: int) -> st.SearchStrategy[Any]:
        out = self._of_type(kind, depth)
        return out | st.none() if kind.nullable else out

    def _of_type(self, kind: TypeRef, depth: int) -> st.SearchStrategy[Any]:
        if kind.kind == "any":
            return json_values
        if kind.kind == "literal":
            return self._noisy(st.sampled_from(kind.values))
        if kind.kind in ("model", "enum"):
            return st.deferred(lambda: self.of_model(kind.name, depth - 1)) if depth > 0 else json_values
        if kind.kind == "list":
            return self._noisy(st.lists(self.of_type(kind.args[0], depth - 1), max_size=2))
        if kind.kind == "map":
            return self._noisy(st.dictionaries(st.text(max_size=2), self.of_type(kind.args[0], depth - 1), max_size=2))
        if kind.kind == "union":
            return st.one_of([self.of_type(member, depth) for member in kind.args])
        scalars: dict[str, st.SearchStrategy[Any]] = {
            "string": st.text(max_size=4),
            "integer": st.integers(-10, 10) | st.sampled_from([2**40, -(2**63)]),
            "number": st.integers(-3, 3) | st.floats(allow_nan=False, allow_infinity=False),
            "boolean": st.booleans(),
            "null": st.none(),
        }
        if kind.format == "decimal" and kind.scalar == "string":
            return self._noisy(_DECIMAL_TEXT)
        if kind.format == "date-time":
            return self._noisy(_DATE_TIMES)
        if kind.format == "date":
            return self._noisy(_DATES)
        return self._noisy(scalars.get(kind.scalar, json_values))


def accepts(cls: Any, value: Any) -> tuple[bool, str]:
    """Whether a model class accepts a JSON value, and why not."""
    import pydantic

    try:
        cls.model_validate(value)
    except pydantic.ValidationError as exc:
        return False, str(exc).splitlines()[0]
    except (TypeError, ValueError, RecursionError) as exc:  # an enum's own check, outside pydantic
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def validates(cls: Any, value: Any) -> tuple[bool, str]:
    """`accepts` for a pydantic model; for an enum class, calling it with the value."""
    import enum

    if isinstance(cls, type) and issubclass(cls, enum.Enum):
        try:
            cls(value)
        except (ValueError, TypeError) as exc:
            return False, str(exc)
        return True, ""
    return accepts(cls, value)
