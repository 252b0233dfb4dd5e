"""Load every configured spec and build the whole SDK's IR, including which runtime parts it needs."""

from __future__ import annotations

import dataclasses
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..config import Config, parse_author
from ..errors import Diagnostics, Location, SpecError
from ..ir import Api, AuthClass, Credential, ErrorCode, Operation, Project, Runtime, RuntimeModule, Sdk
from ..load.background import Validations, validating
from ..load.documents import SourceDocument, read_document
from ..load.overlay import apply_overlay
from ..load.refs import DocumentSet
from ..load.validate import openapi_check, openapi_version, openrpc_check
from .asyncapi import ChannelSource, read_channels
from .asyncapi_messages import asyncapi_only_api
from .naming import RESERVED_MEMBER_NAMES, pascal_case, python_name, snake_case, strip_operation_prefix
from .openapi import OpenApiBuilder
from .openrpc import OpenRpcBuilder
from .order_migration import with_migration_sources
from .pagination import resolve_pagination
from .plugins import PluginRegistry
from .runtime_names import runtime_exports

# What every generated SDK depends on; plug-ins and the WebSocket runtime add theirs.
BASE_DEPENDENCIES = ("httpx>=0.27,<1", "pydantic>=2.7,<3", "typing-extensions>=4.9")
WEBSOCKET_DEPENDENCIES = ("websockets>=14.0,<18",)
# Client attributes besides the APIs.
CLIENT_MEMBERS = frozenset({"models", "close", "from_env"})
# An API name from a title longer than this many words is shortened (with a warning).
MAX_TITLE_WORDS = 3
# Words of a title that say nothing about which API it is.
_NOISE_WORDS = frozenset(
    {"api", "apis", "rest", "restful", "json", "rpc", "openapi", "openrpc", "http", "https", "web", "service", "the", "spec"}
)
_STOP_WORDS = frozenset({"with", "for", "from", "by", "and", "of", "v1", "v2", "v3", "preview", "beta"})

# The generic runtime, always copied: module → the names the package re-exports (None: its whole `__all__`).
CORE_MODULES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("_auth.py", ("Auth",)),
    ("_base_client.py", ()),
    ("_config.py", ()),
    ("_encoding.py", ()),
    ("_exceptions.py", None),
    ("_lenient.py", ()),
    ("_limits.py", ()),
    ("_models.py", ("Mismatch",)),
    ("_pagination.py", ("AsyncPage", "AsyncPager", "SyncPage")),
    ("_redact.py", ()),
    ("_response.py", ("APIResponse",)),
    ("_retry.py", ()),
    ("_streaming.py", ("AsyncStreamedResponse", "StreamedResponse")),
    ("_transfer.py", ()),
    ("_types.py", None),
    ("_watchdog.py", ()),
)
# Internals of the WebSocket runtime's light module that the package does not re-export.
_WEBSOCKET_INTERNALS = frozenset({"WebSocketClients", "Overflow"})
# Each generic auth module, by the runtime class a scheme's setup names.
AUTH_MODULES = {
    "BasicAuth": "_auth_basic.py",
    "BearerAuth": "_auth_bearer.py",
    "ApiKeyAuth": "_auth_api_key.py",
    "OAuth2ClientCredentialsAuth": "_auth_oauth2.py",
}
AUTH_CLASS_DOCS = {
    "BasicAuth": ("BasicAuth(username, password)", "HTTP basic authentication"),
    "BearerAuth": (
        "BearerAuth(token_or_callable)",
        "a bearer token (HTTP bearer, OAuth2 of any flow, OpenID Connect); a callable is asked for every request",
    ),
    "ApiKeyAuth": ('ApiKeyAuth(key, name="X-API-Key", location="header")', "an API key in a header, the query or a cookie"),
    "OAuth2ClientCredentialsAuth": (
        "OAuth2ClientCredentialsAuth(client_id, client_secret, token_url=..., scopes=())",
        "OAuth2 client credentials: the token is fetched, cached and renewed",
    ),
}


def default_env_prefix(package: str) -> str:
    """`my_sdk` → `MY_SDK`: the prefix of the environment variables when the config names none."""
    return snake_case(package).upper() or "SDK"


def generator_version() -> str:
    try:
        return version("sdkgen")
    except PackageNotFoundError:  # running from a checkout that was not installed
        return "0+unknown"


def load_api(
    source_path: Path,
    kind: str,
    overlays: tuple[Path, ...],
    config: Config,
    validations: Validations,
    diagnostics: Diagnostics | None = None,
) -> DocumentSet:
    """Read a spec, apply its overlays, check its references and start validating the result."""
    document = read_document(source_path, root=config.root)
    for overlay_path in overlays:
        apply_overlay(document, read_document(overlay_path, root=config.root), diagnostics)
    documents = DocumentSet(document, display_root=config.root, spec_root=config.spec_root, diagnostics=diagnostics)
    if kind == "openapi":
        openapi_version(document)
        documents.check_all()
        validations.start(openapi_check(document, documents))
    else:
        validations.start(openrpc_check(document, diagnostics))
        documents.check_all()
    return documents


def source_label(path: Path, root: Path) -> str:
    """How generated files name a spec: relative to the project root, or its file name when it lies outside.

    Never absolute, so two checkouts (or two machines) generate the same bytes.
    """
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def api_name(given: str, document: SourceDocument, diagnostics: Diagnostics) -> str:
    """The client attribute of an API: the config's name, else `info.x-sdkgen-name`, else a short form of the title."""
    if given:
        return python_name(given, fallback="api")
    info = document.data.get("info") if isinstance(document.data.get("info"), dict) else {}
    named = info.get("x-sdkgen-name")
    if isinstance(named, str) and named.strip():
        return python_name(named, fallback="api")
    title = str(info.get("title", ""))
    full = snake_case(title).removesuffix("_api").removesuffix("_json_rpc")
    words = [w for w in full.split("_") if w]
    if len(words) <= MAX_TITLE_WORDS:
        return python_name(full or document.path.stem, fallback="api")
    short: list[str] = []
    for word in words:
        if short and word in _STOP_WORDS:
            break
        if word not in _NOISE_WORDS:
            short.append(word)
    name = python_name("_".join(short[:2]) or document.path.stem, fallback="api")
    diagnostics.warn(
        document.location("/info/title"),
        f"the API is named `{name}` (client.{name}), shortened from its long title; "
        "name it with `x-sdkgen-name` in `info`, `name` in [tool.sdkgen] apis, or NAME=FILE",
        kind="API name shortened from a long title",
    )
    return name


def build_sdk(config: Config, diagnostics: Diagnostics, validations: Validations | None = None) -> Sdk:
    """The IR of the SDK `config` describes.

    Validation runs beside the build: joined here, or by the caller that passes `validations`
    (the pipeline joins them after rendering, before anything is written).
    """
    if validations is None:
        with validating(diagnostics) as own:
            return build_sdk(config, diagnostics, own)
    env_prefix = config.env_prefix or default_env_prefix(config.package)
    plugins = PluginRegistry(config.plugins, config.root)
    apis: list[Api] = []
    for source in config.apis:
        if source.kind == "asyncapi":  # a WebSocket-only API: its AsyncAPI document is all there is
            where = Location("pyproject.toml", f"/tool/sdkgen/apis/{config.apis.index(source)}")
            alone = ChannelSource(source.asyncapi or source.path, source.asyncapi_overlays, source.channels, where, config.root)
            socket_documents, description = read_channels(alone, diagnostics)
            name = api_name(source.name, socket_documents.main, diagnostics)
            if name in RESERVED_MEMBER_NAMES or name in {a.name for a in apis} or name in CLIENT_MEMBERS:
                raise SpecError(Location(socket_documents.main.display), f"API name {name!r} is taken", "name the API with `name`")
            api = asyncapi_only_api(name, socket_documents, description, diagnostics, plugins, env_prefix)
            apis.append(dataclasses.replace(api, source=source_label(source.path, config.root)))
            continue
        documents = load_api(source.path, source.kind, source.overlays, config, validations, diagnostics)
        name = api_name(source.name, documents.main, diagnostics)
        if name in RESERVED_MEMBER_NAMES or name in {a.name for a in apis} or name in CLIENT_MEMBERS:
            raise SpecError(Location(documents.main.display), f"API name {name!r} is taken", "name the API with NAME=FILE")
        if source.kind == "openapi":
            sockets = None
            if source.asyncapi is not None:  # a WebSocket client beside the REST one, subscribing by message
                where = Location("pyproject.toml", f"/tool/sdkgen/apis/{config.apis.index(source)}/channels")
                sockets = ChannelSource(source.asyncapi, source.asyncapi_overlays, source.channels, where, config.root)
            api = OpenApiBuilder(name, documents, diagnostics, env_prefix, plugins, sockets).build()
        else:
            channels = None
            if source.asyncapi is not None:
                where = Location("pyproject.toml", f"/tool/sdkgen/apis/{config.apis.index(source)}/channels")
                channels = ChannelSource(source.asyncapi, source.asyncapi_overlays, source.channels, where, config.root)
            api = OpenRpcBuilder(name, documents, diagnostics, env_prefix, plugins, channels).build()
        api = resolve_pagination(api)
        if not any(group.operations for group in api.groups) and not api.webhooks and api.message_socket is None:
            raise SpecError(
                Location(documents.main.display, "/paths" if source.kind == "openapi" else "/methods"),
                "the spec defines no operations: there is nothing to call",
                "an SDK needs at least one operation (a models-only package is not generated)",
            )
        apis.append(dataclasses.replace(api, source=source_label(source.path, config.root)))
    apis = _unique_error_classes(_resolve_replacements(apis))
    apis = with_migration_sources(apis)  # `x-order-migration`: the converter typed like its source operation
    title = config.title or (apis[0].title if len(apis) == 1 else config.package)
    return Sdk(
        package=config.package,
        distribution=config.distribution,
        version=config.version,
        title=title,
        description=config.description,
        env_prefix=env_prefix,
        credentials=_credentials(apis),
        apis=tuple(apis),
        generator_version=generator_version(),
        runtime=_runtime(apis, plugins, config.root, config.package),
        project=Project(
            license=config.license,
            authors=tuple(parse_author(a, Location("[tool.sdkgen] authors")) for a in config.authors),
            urls=config.urls,
            python=">=3.11",
        ),
    )


def _credentials(apis: list[Api]) -> tuple[Credential, ...]:
    """Every API's credentials once, by argument name (APIs that take the same argument share it)."""
    merged: dict[str, Credential] = {}
    for api in apis:
        for credential in api.auth.credentials:
            merged.setdefault(credential.name, credential)
    return tuple(merged.values())


def _runtime(apis: list[Api], plugins: PluginRegistry, root: Path, package: str) -> Runtime:
    """The runtime modules the APIs need: the core always, the rest only when something uses it."""
    modules = [
        RuntimeModule(name, "runtime", name, runtime_exports(name) if exports is None else exports) for name, exports in CORE_MODULES
    ]
    jsonrpc = any(api.protocol == "openrpc" for api in apis)
    websocket = any(api.websocket is not None for api in apis)
    message_socket = any(api.message_socket is not None for api in apis)
    if jsonrpc:
        modules.append(RuntimeModule("_jsonrpc.py", "runtime", "_jsonrpc.py", ("JSONRPCError",)))
    bodies = any(group.bodies for api in apis for group in api.groups)
    if bodies or any(group.param_styles for api in apis for group in api.groups):
        modules.append(RuntimeModule("_params.py", "runtime", "_params.py", ()))
    if bodies:
        modules.append(RuntimeModule("_multipart.py", "runtime", "_multipart.py", ("BinaryInput", "FileInput")))
    if any(group.events for api in apis for group in api.groups):
        modules.append(RuntimeModule("_sse.py", "runtime", "_sse.py", ("AsyncStream", "ServerSentEvent", "Stream")))
    if message_socket:  # imported only by `<api>/ws.py`, so `websockets` stays an extra
        modules.append(RuntimeModule("_websocket_messages.py", "runtime", "_websocket_messages.py", ()))
    if websocket:
        modules.append(RuntimeModule("_websocket.py", "runtime", "_websocket.py"))
        modules.append(RuntimeModule("_websocket_clients.py", "runtime", "_websocket_clients.py", ()))
        modules.append(RuntimeModule("_websocket_sync.py", "runtime", "_websocket_sync.py"))
    if websocket or message_socket:  # options, exceptions and the sync facades' loop thread
        modules.append(RuntimeModule("_websocket_loop.py", "runtime", "_websocket_loop.py", ()))
        ws_exports = tuple(n for n in runtime_exports("_websocket_types.py") if n not in _WEBSOCKET_INTERNALS)
        modules.append(RuntimeModule("_websocket_types.py", "runtime", "_websocket_types.py", ws_exports))
    used = {setup.auth_class for api in apis for scheme in api.auth.schemes for setup in scheme.setups}
    classes = [AuthClass(*AUTH_CLASS_DOCS[name]) for name in AUTH_MODULES if name in used]
    for auth_class, file in AUTH_MODULES.items():
        if auth_class in used:
            modules.append(RuntimeModule(file, "runtime", file, (auth_class,)))
    dependencies = list(BASE_DEPENDENCIES)
    for plugin in sorted(plugins.used.values(), key=lambda p: p.name):
        source = (plugin.folder / plugin.module).resolve()
        try:
            shown = source.relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = source.as_posix()  # a plug-in outside the project: only the IR shows where (nothing generated does)
        modules.append(RuntimeModule(plugin.module, plugin.name, shown, plugin.exports))
        dependencies.extend(d for d in plugin.dependencies if d not in dependencies)
        classes.extend(AuthClass(signature, description) for signature, description in plugin.classes)
    taken: dict[str, str] = {}
    for module in modules:
        if module.name in taken:
            raise SpecError(
                Location(module.source), f"plug-in module {module.name} has the name of {taken[module.name]}", "rename the plug-in's module"
            )
        taken[module.name] = module.source
    auth_imports = tuple(
        (module.name.removesuffix(".py"), tuple(sorted(set(module.exports) & used)))
        for module in sorted(modules, key=lambda m: m.name)
        if set(module.exports) & used
    )
    missing = used - {name for _, names in auth_imports for name in names}
    if missing:
        raise SpecError(
            Location("plugins"), f"no runtime module exports {', '.join(sorted(missing))}", "list the class in its plug-in's `exports`"
        )
    return Runtime(
        exports=tuple(sorted({name for module in modules for name in module.exports})),
        auth_imports=auth_imports,
        modules=tuple(sorted(modules, key=lambda m: m.name)),
        jsonrpc=jsonrpc,
        websocket=websocket,
        dependencies=tuple(sorted(dependencies)),
        ws_dependencies=WEBSOCKET_DEPENDENCIES if websocket or message_socket else (),
        auth_classes=tuple(classes),
        plugins=tuple(sorted(plugins.used)),
        plugin_docs=tuple(
            p.readme.replace("{package}", package).replace("{api}", plugins.used_by.get(name) or "<api>")
            for name, p in sorted(plugins.used.items())
            if p.readme
        ),
    )


def _unique_error_classes(apis: list[Api]) -> list[Api]:
    """Error classes of several JSON-RPC APIs share `errors.py`: a class name two APIs would define gets each API's prefix."""
    owners: dict[str, set[str]] = {}
    for api in apis:
        for error in api.errors:
            owners.setdefault(error.class_name, set()).add(api.name)
    shared = {name for name, names in owners.items() if len(names) > 1}
    if not shared:
        return apis
    taken = {error.class_name for api in apis for error in api.errors}

    def rename(api: Api, error: ErrorCode) -> ErrorCode:
        if error.class_name not in shared:
            return error
        name = pascal_case(api.name) + error.class_name
        while name in taken:
            name = "Api" + name
        taken.add(name)
        return dataclasses.replace(error, class_name=name)

    return [dataclasses.replace(api, errors=tuple(rename(api, e) for e in api.errors)) for api in apis]


def _resolve_replacements(apis: list[Api]) -> list[Api]:
    """Turn `x-replacement` keys (`api:method-or-operation`) into what a user should call."""
    index: dict[tuple[str, str], str] = {}
    for api in apis:
        for group in api.groups:
            for op in group.operations:
                call = f"client.{api.name}.{group.name}.{op.name}()"
                index[(api.name, op.rpc_method or op.name)] = call + (f" (JSON-RPC {op.rpc_method})" if op.rpc_method else "")

    def resolve(op: Operation) -> Operation:
        if op.deprecation is None:
            return op
        api_name, _, target = op.deprecation.replacement.partition(":")
        if not target:
            target, api_name = api_name, ""
        replacement = ""
        if target:
            python_target = python_name(strip_operation_prefix(target), fallback=target)
            replacement = index.get((api_name, target)) or index.get((api_name, python_target)) or f"{target} (not yet in this SDK)"
        message = op.deprecation.message + (f"; use {replacement} instead" if replacement else "")
        return dataclasses.replace(op, deprecation=dataclasses.replace(op.deprecation, message=message, replacement=replacement))

    return [
        dataclasses.replace(
            api, groups=tuple(dataclasses.replace(g, operations=tuple(resolve(o) for o in g.operations)) for g in api.groups)
        )
        for api in apis
    ]
