"""Models stage: the schema bundle of one API → a pydantic v2 module, by datamodel-code-generator."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path
from typing import Any

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType
from datamodel_code_generator.format import PythonVersion

from ..build.module_names import OPEN_ENUM_BASES
from ..errors import SdkgenError
from ..ir import Api

_HEADER = re.compile(r"\A(#[^\n]*\n)+")
# The bundle's own root (`{"$defs": ...}`) becomes `class Model(RootModel[Any])`; no model of the
# IR is named `Model` (it is a reserved name), so that class is always the root, whatever its spelling.
_ROOT_CLASS = "Model"
# The engine adds this to every model with a custom type; the SDK's types need no such permission.
_ARBITRARY_TYPES = re.compile(r"\n    model_config = ConfigDict\(\n        arbitrary_types_allowed=True,\n    \)\n")
# IR formats that the runtime's `_models` module gives a type of its own.
_OPEN_ENUMS = tuple(sorted(OPEN_ENUM_BASES))
_RUNTIME_TYPES = {("string", "decimal"): "DecimalString", ("number", "decimal"): "JsonNumber"}


def _with_runtime_types(node: Any, package: str) -> Any:
    """A copy of a schema where `format: decimal` points the engine at the runtime's types."""
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


def _without_root_class(source: str) -> str:
    """`source` without the bundle root's class: it is not a model."""
    tree = ast.parse(source)
    lines = source.split("\n")  # as ast counts them
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == _ROOT_CLASS and node.end_lineno is not None:
            del lines[node.lineno - 1 : node.end_lineno]
            return "\n".join(lines)
    return source


def render_models(api: Api, package: str, header: str, templates: Path) -> str:
    """Python source of `<package>/models/<api>.py`: one class per named schema, names as given."""
    bundle: dict[str, Any] = {"$defs": {m.name: _with_runtime_types(m.schema, package) for m in api.models}}
    if not api.models:
        return header + "\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its warnings are about options we chose on purpose
        try:
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
                custom_template_dir=templates / "models",
            )
        except Exception as exc:  # the engine's own errors name no spec location; add the API
            raise SdkgenError(f"{api.source}: the models stage failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(source, str):
        raise SdkgenError(f"{api.source}: the models stage returned several modules")
    source = _HEADER.sub("", source)
    source = _without_root_class(source)
    source = _ARBITRARY_TYPES.sub("\n", source)
    enum_bases = [base for base in _OPEN_ENUMS if f"({base}):" in source]
    if enum_bases:  # the enum template names the runtime's open enum bases
        names = ", ".join(enum_bases)
        source = source.replace(
            "from __future__ import annotations\n", f"from __future__ import annotations\n\nfrom {package}._models import {names}\n", 1
        )
    return header + "\n" + source
