"""Every name a generated module imports or defines besides what the spec names: one place for all of them.

Runtime classes are imported under private aliases (`RestApi as _RestApi`), as Stainless SDKs do,
so no name from a spec can shadow them; a module imports publicly only what its signatures show
users (`Mapping`, `Decimal`, `Timeout`...). The reserved-name lists the builders check are derived
here from these sets, and the runtime's own names are read from `templates/runtime/` itself.
"""

from __future__ import annotations

import builtins

from .runtime_names import runtime_exports, runtime_status_classes

# A models module (templates/models/module.py.jinja): what the IR's types and models can import
# (`TypeRef.imports`, `Model.imports`: `build/types.py`, `build/models.py`) and our bases from
# `_models.py`. The names datamodel-code-generator's modules imported before the IR owned the types
# stay reserved, so no model changes its name (a test checks the IR's imports are all here).
MODELS_MODULE_IMPORTS = frozenset(
    {
        "Any", "AwareDatetime", "Decimal", "Field", "Literal", "RootModel", "date",
        "AnyUrl", "Annotated", "BaseModel", "ConfigDict", "Enum", "IntEnum", "List", "Dict", "Model",
        "NaiveDatetime", "Optional", "StrEnum", "Union", "UUID", "datetime", "time", "timedelta",
    }
) | frozenset(runtime_exports("_models.py"))  # fmt: skip
# The open enum bases of `_models.py` (an unknown value becomes a member of its own), and every enum base.
OPEN_ENUM_BASES = frozenset(name for name in runtime_exports("_models.py") if name.endswith("Enum"))
ENUM_BASES = OPEN_ENUM_BASES | {"Enum", "StrEnum", "IntEnum"}

# A resource module (templates/package/group.py.jinja) and an API module (api.py.jinja): the public
# names they import; everything else they import is private (`_RestApi`, `_cached_property`).
GROUP_MODULE_NAMES = frozenset({"Any", "Mapping", "Decimal", "Timeout", "TYPE_CHECKING", "Callable"})
# Decorators the class bodies of those modules use under a public name: a method or group
# attribute with one of these names would replace the decorator for everything after it.
DECORATOR_NAMES: frozenset[str] = frozenset()
# The WebSocket module (ws.py.jinja): what its signatures show, and what it defines.
WEBSOCKET_MODULE_NAMES = frozenset(
    {"Subscription", "Overflow", "AsyncWebSocketApi", "WebSocketRoles", "ROLES", "TYPE_CHECKING"}
    | {"SyncSubscription", "SyncWebSocketApi", "Callable"}  # the sync facade
)

# Keyword arguments every generated method takes besides the spec's parameters (`extra_query` is
# kept for the per-call options still to come).
CALL_OPTIONS = frozenset({"extra_headers", "extra_query", "timeout", "max_retries", "max_response_bytes"})
RESERVED_PARAM_NAMES = CALL_OPTIONS | {"self"}

# `errors.py`: the runtime exceptions it re-exports (and the protocol runtimes' ones), which a
# generated JSON-RPC error class must not take, nor Python's own `Error` names.
RUNTIME_EXCEPTION_NAMES = (
    frozenset(runtime_exports("_exceptions.py"))
    | {"JSONRPCError"}
    | {name for name in runtime_exports("_websocket_types.py") if name.endswith("Error")}
    | {"Error"}
)

# HTTP error statuses → the runtime's exception classes (`_STATUS_CLASSES` in `_exceptions.py`).
HTTP_ERROR_CLASSES = runtime_status_classes()

# Class names a model must not take in any module that imports models: the models modules' imports,
# the public names of the modules that import models, and Python's builtin classes (a model named
# `UserWarning` would resolve to the builtin in annotations evaluated before it is defined).
RESERVED_CLASS_NAMES = (
    MODELS_MODULE_IMPORTS
    | GROUP_MODULE_NAMES
    | WEBSOCKET_MODULE_NAMES
    | {name for name in dir(builtins) if name[:1].isupper() and isinstance(getattr(builtins, name), type)}
)
