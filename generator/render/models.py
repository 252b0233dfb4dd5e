"""Models stage: an API's models (IR) → its models package, by our own templates (`templates/models/`).

One module per group plus `_shared` (planned by `split.py`) and a lazy facade `__init__`. The
templates print what the IR says: class names, kinds, bases, fields and their annotations; ruff
then formats the tree like every other file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from ..errors import SdkgenError
from ..ir import Api, JsonScalar
from .cache import template_code_cache
from .filters import FILTERS
from .split import owners, plan_modules


def pyvalue(value: JsonScalar) -> str:
    """A JSON scalar as a Python literal (`repr`: spec text stays data)."""
    return repr(value)


@cache
def _environment(folder: Path, code_cache: str | None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=template_code_cache(folder.parent) if code_cache is not None else None,
    )
    env.filters.update(FILTERS)
    env.filters["pyvalue"] = pyvalue
    return env


def render_models(api: Api, package: str, header: str, templates: Path) -> dict[str, str]:
    """Relative path (in `models/<api>/`) → source of every module of the API's models package."""
    code_cache = template_code_cache(templates)
    env = _environment(templates / "models", code_cache.directory if code_cache is not None else None)
    try:
        module_template = env.get_template("module.py.jinja")
        facade_template = env.get_template("facade.py.jinja")
        files = {f"{m.name}.py": module_template.render(header=header, package=package, module=m) for m in plan_modules(api)}
        module_of = owners(api)
        by_module: dict[str, list[str]] = {}
        for name in sorted(module_of):
            by_module.setdefault(module_of[name], []).append(name)
        files["__init__.py"] = facade_template.render(
            header=header, by_module=sorted(by_module.items()), table=[(name, module_of[name]) for name in sorted(module_of)]
        )
    except TemplateError as exc:
        raise SdkgenError(f"{api.source}: template models/: {exc}") from None
    return files
