"""The names the runtime modules define, read from `templates/runtime/` itself, so no list here copies them."""

from __future__ import annotations

import ast
from functools import cache

from ..errors import SdkgenError
from ..locations import RUNTIME


@cache
def runtime_exports(module: str) -> tuple[str, ...]:
    """The `__all__` of a runtime module (`_exceptions.py`), in its order."""
    path = RUNTIME / module
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError) as exc:
        raise SdkgenError(f"runtime module {module}: cannot read its names ({exc})") from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            value = ast.literal_eval(node.value)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
    raise SdkgenError(f"runtime module {module} has no literal `__all__`")


@cache
def runtime_status_classes() -> dict[int, str]:
    """HTTP status → exception class name, from `_STATUS_CLASSES` in `_exceptions.py`."""
    tree = ast.parse((RUNTIME / "_exceptions.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name) or node.target.id != "_STATUS_CLASSES":
            continue
        if isinstance(node.value, ast.Dict):
            out: dict[int, str] = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, int) and isinstance(value, ast.Name):
                    out[key.value] = value.id
            return out
    raise SdkgenError("runtime module _exceptions.py has no `_STATUS_CLASSES` table")
