"""OpenRPC 1.x → IR (JSON-RPC 2.0 methods, Deribit conventions in `x-` extensions)."""

from __future__ import annotations

import builtins
import re
from collections import Counter
from typing import Any

from ..errors import Diagnostics, SpecError, join_pointer
from ..ir import Api, Auth, ErrorCode, Operation, Param
from ..load.documents import SourceDocument
from ..load.refs import DocumentSet
from .naming import class_name, pascal_case, python_name, unique_name
from .operations import GroupCollector, api_class_name, deprecation_of, idempotency_of, ordered_params, param_name, text
from .schemas import SchemaBundle

_SCOPE_PREFIX = re.compile(r"^(public|private)/")
_PLACEHOLDER = re.compile(r"<[^>]*>")
# Error class names the generated `errors` module must not take: the SDK's own exception classes
# (it re-exports them) and Python's built-in exceptions.
RUNTIME_EXCEPTION_NAMES = frozenset(
    {
        "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
        "AuthenticationError", "BadRequestError", "ConflictError", "CredentialsError", "InternalServerError",
        "InvalidRequestError", "JSONRPCError", "NotFoundError", "PermissionDeniedError", "RateLimitError",
        "SDKError", "ServiceUnavailableError", "UnprocessableEntityError", "Error",
    }
)  # fmt: skip
# x-category → the semantic base class of the runtime (besides JSONRPCError).
CATEGORY_BASES = {
    "authentication": "AuthenticationError",
    "permission": "PermissionDeniedError",
    "rate_limit": "RateLimitError",
    "not_found": "NotFoundError",
    "invalid_request": "InvalidRequestError",
    "conflict": "ConflictError",
    "server": "InternalServerError",
    "unavailable": "ServiceUnavailableError",
}
_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if name.endswith(("Error", "Exception")))


class OpenRpcBuilder:
    """Builds one `Api` from a validated OpenRPC document."""

    def __init__(self, name: str, documents: DocumentSet, diagnostics: Diagnostics, env_prefix: str) -> None:
        self.name = name
        self.documents = documents
        self.doc: SourceDocument = documents.main
        self.diagnostics = diagnostics
        self.env_prefix = env_prefix
        self.bundle = SchemaBundle(documents, diagnostics, nullable_keyword=False, exact_numbers=True)

    def _deref(self, node: Any, pointer: str) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.documents.resolve(node["$ref"], self.doc, pointer).value
        return node

    def build(self) -> Api:
        data = self.doc.data
        if isinstance((data.get("components") or {}).get("schemas"), dict):
            self.bundle.register_components(self.doc, "/components/schemas")
        errors = self._errors()
        collector = GroupCollector(self.name)
        for index, raw in enumerate(data.get("methods") or []):
            pointer = join_pointer("/methods", index)
            method = self._deref(raw, pointer)
            operation, tag, models = self._method(method, pointer)
            collector.add(tag, operation, self.doc.location(pointer), models)
        info = data.get("info") or {}
        servers = data.get("servers") or []
        base_url = str(servers[0].get("url", "")).rstrip("/") if servers and isinstance(servers[0], dict) else ""
        return Api(
            name=self.name,
            class_name=api_class_name(self.name),
            title=text(info.get("title")) or self.name,
            description=text(info.get("description")),
            version=str(info.get("version", "")),
            protocol="openrpc",
            source=self.doc.display,
            default_base_url=base_url,
            base_url_param=f"{self.name}_base_url",
            base_url_env=f"{self.env_prefix}_{self.name.upper()}_BASE_URL",
            auth=self._auth(),
            groups=collector.build({m.name for m in self.bundle.models()} | {api_class_name(self.name)}),
            models_module=self.name,
            models=self.bundle.models(),
            errors=errors,
        )

    def _method(self, method: Any, pointer: str) -> tuple[Operation, str, set[str]]:
        if not isinstance(method, dict) or not isinstance(method.get("name"), str):
            raise SpecError(self.doc.location(pointer), "a method needs a `name`")
        rpc_name: str = method["name"]
        override = method.get("x-sdkgen-name")
        name = python_name(override if isinstance(override, str) and override else _SCOPE_PREFIX.sub("", rpc_name), fallback="call")
        context = pascal_case(name)
        models: set[str] = set()
        taken: set[str] = set()
        params: list[Param] = []
        for index, raw in enumerate(method.get("params") or []):
            site = join_pointer(pointer, "params", index)
            descriptor = self._deref(raw, site)
            if not isinstance(descriptor, dict) or not isinstance(descriptor.get("name"), str):
                raise SpecError(self.doc.location(site), "a param needs a `name`")
            schema = self.bundle.schema(
                descriptor.get("schema", {}), self.doc, join_pointer(site, "schema"), context + pascal_case(descriptor["name"])
            )
            annotation = self.bundle.annotation(schema)
            models |= annotation.models
            required = descriptor.get("required") is True
            text_annotation = (
                annotation.text
                if required or annotation.text.endswith("| None") or annotation.text == "Any"
                else f"{annotation.text} | None"
            )
            params.append(
                Param(
                    param_name(descriptor["name"], taken, "param"),
                    descriptor["name"],
                    "rpc",
                    text_annotation,
                    required,
                    text(descriptor.get("description") or descriptor.get("summary")),
                    descriptor.get("deprecated") is True,
                )
            )
        result_descriptor = self._deref(method.get("result"), join_pointer(pointer, "result"))
        if not isinstance(result_descriptor, dict):
            raise SpecError(
                self.doc.location(pointer),
                f"method {rpc_name!r} has no `result`",
                "JSON-RPC notifications are not supported; describe the result the server sends",
            )
        result_schema = self.bundle.schema(
            result_descriptor.get("schema", {}), self.doc, join_pointer(pointer, "result", "schema"), context + "Result"
        )
        result = self.bundle.annotation(result_schema)
        tags = method.get("tags") or []
        tag = "default"
        if tags:
            first = self._deref(tags[0], join_pointer(pointer, "tags", 0))
            if isinstance(first, dict) and isinstance(first.get("name"), str):
                tag = first["name"]
        codes = []
        for index, raw in enumerate(method.get("errors") or []):
            error = self._deref(raw, join_pointer(pointer, "errors", index))
            if isinstance(error, dict) and isinstance(error.get("code"), int):
                codes.append(error["code"])
        auth_required = method.get("x-auth-required")
        scopes = method.get("x-scopes")
        # Deribit's naming convention: `get_*` methods read, so sending one twice is harmless.
        reads = _SCOPE_PREFIX.sub("", rpc_name).startswith("get") or rpc_name == self._auth().token_method
        idempotent, idempotency_key = idempotency_of(method, params, reads, self.doc.location(pointer))
        operation = Operation(
            name=name,
            summary=text(method.get("summary")),
            description=text(method.get("description")),
            transport="jsonrpc",
            http_method="POST",
            path="",
            rpc_method=rpc_name,
            params=ordered_params(params),
            body_kind="none",
            body_content_type="",
            result_annotation=result.text,
            result_model=result.text,
            auth_required=auth_required if isinstance(auth_required, bool) else rpc_name.startswith("private/"),
            idempotent=idempotent,
            idempotency_key=idempotency_key,
            scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
            deprecation=deprecation_of(method, rpc_name),
            error_codes=tuple(sorted(set(codes))),
            source=f"{self.doc.display}#{pointer}",
        )
        return operation, tag, models | result.models

    def _errors(self) -> tuple[ErrorCode, ...]:
        errors = (self.doc.data.get("components") or {}).get("errors") or {}
        # The meta-schema allows no `x-` keys on error objects, so their metadata sits in a
        # root map keyed like components/errors.
        extensions = self.doc.data.get("x-error-extensions") or {}
        out: list[ErrorCode] = []
        taken: set[str] = set()
        code_counts = Counter(e.get("code") for e in errors.values() if isinstance(e, dict))
        for key, error in sorted(errors.items(), key=lambda kv: (kv[1].get("code", 0) if isinstance(kv[1], dict) else 0, kv[0])):
            pointer = join_pointer("/components/errors", key)
            if not isinstance(error, dict) or not isinstance(error.get("code"), int):
                raise SpecError(self.doc.location(pointer), "an error needs an integer `code`")
            message = str(error.get("message", ""))
            extra: dict[str, Any] = extensions[key] if isinstance(extensions.get(key), dict) else {}
            base = class_name(_PLACEHOLDER.sub("", message) or key)
            if not base.endswith("Error"):
                base += "Error"
            if base in RUNTIME_EXCEPTION_NAMES or base in _BUILTIN_NAMES:
                base = "Rpc" + base  # `NotFoundError` is the SDK's base class; 13020 becomes `RpcNotFoundError`
            category = str(extra.get("x-category", "other"))
            if category != "other" and category not in CATEGORY_BASES:
                raise SpecError(
                    self.doc.location(join_pointer("/x-error-extensions", key, "x-category")),
                    f"unknown error category {category!r}",
                    f"use one of: {', '.join(sorted(CATEGORY_BASES))}, other",
                )
            out.append(
                ErrorCode(
                    code=error["code"],
                    class_name=unique_name(base, taken, (f"{abs(error['code'])}",)),
                    message=message,
                    description=text(extra.get("x-description")),
                    category=category,
                    retryable=extra.get("x-retryable") is True,
                    session_closed=extra.get("x-session-closed") is True,
                    bases=("JSONRPCError",) + ((CATEGORY_BASES[category],) if category in CATEGORY_BASES else ()),
                    match_message=code_counts[error["code"]] > 1,
                )
            )
            taken.add(out[-1].class_name)
        return tuple(out)

    def _auth(self) -> Auth:
        auth = self.doc.data.get("x-auth")
        if not isinstance(auth, dict):
            return Auth(kind="none")
        grants = [str(g) for g in auth.get("grant-types") or []]
        credentials = (("api_key_name", "api_private_key") if "coinbase_cdp" in grants else ()) + (
            ("oauth_token",) if "coinbase_oauth2" in grants else ()
        )
        return Auth(
            kind="jsonrpc_token",
            token_method=str(auth.get("method", "public/auth")),
            grant_type=grants[0] if grants else "",
            credentials=credentials,
            oauth2="coinbase_oauth2" in grants,
        )
