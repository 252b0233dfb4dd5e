"""Load every configured spec and build the whole SDK's IR."""

from __future__ import annotations

import dataclasses
from importlib.metadata import PackageNotFoundError, version

from ..config import ApiSource, Config
from ..errors import Diagnostics, Location, SpecError
from ..ir import Api, Credential, Operation, Sdk
from ..load.background import Validations, validating
from ..load.documents import SourceDocument, read_document
from ..load.overlay import apply_overlay
from ..load.refs import DocumentSet
from ..load.validate import openapi_check, openapi_version, openrpc_check
from .naming import RESERVED_MEMBER_NAMES, python_name, snake_case, strip_operation_prefix
from .openapi import OpenApiBuilder
from .openrpc import OpenRpcBuilder

_CREDENTIALS = {
    "api_key_name": ("API_KEY_NAME", "CDP API key name: `organizations/{org_id}/apiKeys/{key_id}`, or the id of an Ed25519 key.", False),
    "api_private_key": ("API_PRIVATE_KEY", "CDP API key secret: a PEM EC private key, or a base64 Ed25519 key.", True),
    "api_key": ("API_KEY", "API key, sent with every authenticated request.", True),
    "oauth_token": ("OAUTH_TOKEN", "OAuth2 access token (Coinbase App OAuth2 flow), used when no CDP key is given.", True),
}


def generator_version() -> str:
    try:
        return version("sdkgen")
    except PackageNotFoundError:  # running from a checkout that was not installed
        return "0+unknown"


def load_api(source: ApiSource, config: Config, validations: Validations, diagnostics: Diagnostics | None = None) -> DocumentSet:
    """Read a spec, apply its overlays, check its references and start validating the result."""
    document = read_document(source.path, root=config.root)
    for overlay_path in source.overlays:
        apply_overlay(document, read_document(overlay_path, root=config.root), diagnostics)
    documents = DocumentSet(document, display_root=config.root, spec_root=config.spec_root, diagnostics=diagnostics)
    if source.kind == "openapi":
        openapi_version(document)
        documents.check_all()
        validations.start(openapi_check(document, documents))
    else:
        validations.start(openrpc_check(document, diagnostics))
        documents.check_all()
    return documents


def _api_name(source: ApiSource, document: SourceDocument) -> str:
    if source.name:
        return source.name
    title = str((document.data.get("info") or {}).get("title", ""))
    name = snake_case(title).removesuffix("_api").removesuffix("_json_rpc") or source.path.stem
    return python_name(name, fallback="api")


def build_sdk(config: Config, diagnostics: Diagnostics, validations: Validations | None = None) -> Sdk:
    """The IR of the SDK `config` describes.

    Validation runs beside the build: joined here, or by the caller that passes `validations`
    (the pipeline joins them after rendering, before anything is written).
    """
    if validations is None:
        with validating(diagnostics) as own:
            return build_sdk(config, diagnostics, own)
    apis: list[Api] = []
    for source in config.apis:
        documents = load_api(source, config, validations, diagnostics)
        name = _api_name(source, documents.main)
        if name in RESERVED_MEMBER_NAMES or name in {a.name for a in apis} or name in ("models", "close", "from_env"):
            raise SpecError(Location(documents.main.display), f"API name {name!r} is taken", "name the API with NAME=FILE")
        builder = OpenApiBuilder if source.kind == "openapi" else OpenRpcBuilder
        apis.append(builder(name, documents, diagnostics, config.env_prefix).build())
    apis = _resolve_replacements(apis)
    names = [n for api in apis for n in api.auth.credentials]
    credentials = tuple(
        Credential(name, f"{config.env_prefix}_{_CREDENTIALS[name][0]}", _CREDENTIALS[name][1], _CREDENTIALS[name][2])
        for name in dict.fromkeys(names)
    )
    return Sdk(
        package=config.package,
        distribution=config.distribution,
        version=config.version,
        title=config.title,
        description=config.description,
        env_prefix=config.env_prefix,
        credentials=credentials,
        apis=tuple(apis),
        generator_version=generator_version(),
    )


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
