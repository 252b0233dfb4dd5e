"""Models stage: the schema bundle of one API → a pydantic v2 module, by datamodel-code-generator."""

from __future__ import annotations

import re
import warnings
from typing import Any

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType
from datamodel_code_generator.format import PythonVersion

from ..errors import SdkgenError
from ..ir import Api

_HEADER = re.compile(r"\A(#[^\n]*\n)+")
_ROOT_MODEL = re.compile(r"\n\nclass Model\(RootModel\[Any\]\):\n    root: Any\n")


def render_models(api: Api, package: str, header: str) -> str:
    """Python source of `<package>/models/<api>.py`: one class per named schema, names as given."""
    bundle: dict[str, Any] = {"$defs": {m.name: m.schema for m in api.models}}
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
            )
        except Exception as exc:  # the engine's own errors name no spec location; add the API
            raise SdkgenError(f"{api.source}: the models stage failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(source, str):
        raise SdkgenError(f"{api.source}: the models stage returned several modules")
    source = _HEADER.sub("", source)
    source = _ROOT_MODEL.sub("\n", source)  # the bundle's own (empty) root is not a model
    return header + "\n" + source
