"""Security schemes → IR: which `Auth` the client builds for each scheme, and the arguments it takes.

Every standard OpenAPI scheme is handled by a generic runtime module (`templates/runtime/_auth_*.py`):

| scheme | runtime class | constructor arguments (named from the scheme key) |
|---|---|---|
| http basic | `BasicAuth` | `<base>_username`, `<base>_password` (`username`, `password` for a scheme named `basic`/`http`) |
| http bearer | `BearerAuth` | `<base>_token` (`bearer_token` for `bearer`/`http`/`jwt`) |
| apiKey (header, query, cookie) | `ApiKeyAuth` | `<base>_key` (`api_key` for `apiKey`/`api`) |
| oauth2 | `BearerAuth`, and `OAuth2ClientCredentialsAuth` with a client-credentials flow | `<base>_token`; `<base>_client_id`, `<base>_client_secret` |
| openIdConnect | `BearerAuth` | `<base>_token` |

`<base>` is the scheme key in snake case without a trailing `auth`/`scheme`/`security` word
(`petstore_auth` → `petstore`; `OAuth2` → `oauth`). A scheme marked `x-sdkgen-auth: <name>`
is handled by that plug-in instead (`generator/ir_builder/plugins.py`). Each argument's environment
variable is `<ENV_PREFIX>_<ARGUMENT>`.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Diagnostics, Location
from ..ir import AuthSetup, Credential, SecurityScheme
from .naming import clean_text, python_name, snake_case
from .plugins import PluginAuth, PluginRegistry

_TRAILING = re.compile(r"(?:_(?:auth|authentication|scheme|security|header|query))+$")
_OAUTH = re.compile(r"^o_?auth(_?2(_?0)?)?$")
_OPENID = re.compile(r"^(open_?id(_connect)?|oidc)$")


def scheme_base(key: str) -> str:
    """The stem of a scheme's argument names: `petstore_auth` → `petstore`, `OAuth2` → `oauth`."""
    base = snake_case(key).replace("o_auth", "oauth")
    stripped = _TRAILING.sub("", base)
    base = stripped or base
    if _OAUTH.match(base):
        return "oauth"
    if _OPENID.match(base):
        return "openid"
    return base


def _literal(value: Any) -> str:
    return repr(value)


class SecurityBuilder:
    """Builds the `SecurityScheme`s of one API and the credentials (constructor arguments) they take."""

    def __init__(self, *, env_prefix: str, plugins: PluginRegistry, diagnostics: Diagnostics, api_title: str) -> None:
        self.env_prefix = env_prefix
        self.plugins = plugins
        self.diagnostics = diagnostics
        self.api_title = api_title
        self.credentials: dict[str, Credential] = {}
        self._owners: dict[str, str] = {}  # argument → the scheme that takes it

    # -- arguments ------------------------------------------------------------------------------

    def env_var(self, argument: str) -> str:
        return f"{self.env_prefix}_{argument.upper()}"

    def _credential(self, name: str, description: str, secret: bool, scheme: str = "", alternative: str = "") -> str:
        """Declare an argument of `scheme`; one another scheme of this API already takes is qualified by the scheme's key
        (or becomes `alternative`)."""
        if scheme and self._owners.setdefault(name, scheme) != scheme:
            role = (
                name.rsplit("_", 1)[-1] if name.endswith(("_token", "_key", "_username", "_password", "_id", "_secret")) else "credential"
            )
            qualified = alternative or python_name(f"{snake_case(scheme).replace('o_auth', 'oauth')}_{role}", fallback="credential")
            candidate, number = qualified, 2
            while candidate in self._owners and self._owners[candidate] != scheme:
                candidate, number = f"{qualified}_{number}", number + 1
            self._owners[candidate] = scheme
            name = candidate
        plugin_credential = self.plugins.credential(name)
        if plugin_credential is not None:
            env = f"{self.env_prefix}_{plugin_credential.env}"
            self.credentials.setdefault(name, Credential(name, env, plugin_credential.description, plugin_credential.secret))
        else:
            self.credentials.setdefault(name, Credential(name, self.env_var(name), description, secret))
        return name

    def _setup(
        self, auth_class: str, arguments: tuple[str, ...], required: tuple[str, ...], options: dict[str, Any] | None = None
    ) -> AuthSetup:
        # every argument the setup takes, the optional ones too (a key's name may come from its key file)
        given = " and ".join(f"`{a}=`" for a in arguments)
        env = ", ".join(f"`{self.credentials[a].env_var}`" for a in arguments)
        hint = f"{given} (environment: {env})"
        return AuthSetup(
            auth_class=auth_class,
            arguments=arguments,
            required=required,
            hint=hint,
            options=tuple((k, _literal(v)) for k, v in (options or {}).items()),
        )

    # -- schemes ----------------------------------------------------------------------------------

    def plugin_scheme(self, key: str, auth: PluginAuth) -> SecurityScheme:
        """A scheme a plug-in handles."""
        for argument in auth.arguments:
            self._credential(argument, "", True)
        return SecurityScheme(
            key=key,
            kind="plugin",
            summary=auth.summary,
            setups=(self._setup(auth.auth_class, auth.arguments, auth.required),),
            plugin=auth.plugin,
        )

    def openapi_scheme(self, key: str, scheme: dict[str, Any], where: Location, server_url: str) -> SecurityScheme | None:
        """The IR of one OpenAPI security scheme, or None (with a warning) for one the SDK cannot apply itself."""
        extension = scheme.get("x-sdkgen-auth")
        if isinstance(extension, str) and extension:
            return self.plugin_scheme(key, self.plugins.auth(extension, Location(where.file, where.pointer + "/x-sdkgen-auth")))
        kind = scheme.get("type")
        base = scheme_base(key)
        about = clean_text(scheme.get("description")).split("\n\n")[0]
        suffix = f" {about}" if about else ""
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            user, password = ("username", "password") if base in ("basic", "http", "") else (f"{base}_username", f"{base}_password")
            user = self._credential(user, f"User name for HTTP basic authentication (scheme `{key}`).{suffix}", False, key)
            password = self._credential(password, f"Password for HTTP basic authentication (scheme `{key}`).", True, key)
            return SecurityScheme(
                key,
                "http_basic",
                "HTTP basic authentication (`Authorization: Basic ...`)",
                (self._setup("BasicAuth", (user, password), (user, password)),),
            )
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            token = _token_name(base, generic=("bearer", "http", "jwt", ""))
            token = self._credential(token, f"Bearer token (scheme `{key}`), sent as `Authorization: Bearer <token>`.{suffix}", True, key)
            return SecurityScheme(
                key, "http_bearer", "a bearer token (`Authorization: Bearer <token>`)", (self._setup("BearerAuth", (token,), (token,)),)
            )
        if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie") and isinstance(scheme.get("name"), str):
            location, name = scheme["in"], scheme["name"]
            argument = base if base.endswith("key") else "api_key" if base in ("api", "") else f"{base}_key"
            argument = python_name(argument, fallback="api_key")
            place = {"header": f"header `{name}`", "query": f"query parameter `{name}`", "cookie": f"cookie `{name}`"}[location]
            argument = self._credential(
                argument, f"API key (scheme `{key}`), sent as {place}.{suffix}", True, key, f"{argument}_{location}"
            )
            setup = self._setup("ApiKeyAuth", (argument,), (argument,), {"name": name, "location": location})
            return SecurityScheme(key, "api_key", f"an API key in the {place}", (setup,))
        if kind == "oauth2":
            return self._oauth2(key, base, scheme, where, server_url, suffix)
        if kind == "openIdConnect":
            token = _token_name(base, generic=("",))
            url = scheme.get("openIdConnectUrl", "")
            token = self._credential(token, f"OpenID Connect token (scheme `{key}`, provider `{url}`), sent as a bearer token.", True, key)
            return SecurityScheme(
                key, "open_id_connect", "an OpenID Connect token, sent as a bearer token", (self._setup("BearerAuth", (token,), (token,)),)
            )
        self.diagnostics.warn(
            where,
            f"security scheme {key!r} ({' '.join(str(p) for p in (kind, scheme.get('scheme') or scheme.get('in')) if p)}) "
            "is not applied by the SDK: pass your own `Auth`",
            kind="unsupported security scheme",
        )
        return None

    def _oauth2(self, key: str, base: str, scheme: dict[str, Any], where: Location, server_url: str, suffix: str) -> SecurityScheme:
        raw_flows = scheme.get("flows")
        flows: dict[str, Any] = raw_flows if isinstance(raw_flows, dict) else {}
        token = _token_name(base, generic=("",))
        names = ", ".join(sorted(flows)) or "no flows"
        token = self._credential(token, f"OAuth2 access token (scheme `{key}`: {names}), sent as a bearer token.{suffix}", True, key)
        setups = [self._setup("BearerAuth", (token,), (token,))]
        credentials = flows.get("clientCredentials")
        summary = "an OAuth2 access token, sent as a bearer token"
        if isinstance(credentials, dict):
            token_url = str(credentials.get("tokenUrl", ""))
            if token_url and "://" not in token_url:  # relative to the server (OpenAPI 3.1)
                token_url = server_url.rstrip("/") + "/" + token_url.lstrip("/")
            if not token_url:
                self.diagnostics.warn(
                    where, f"OAuth2 scheme {key!r} has a client-credentials flow without `tokenUrl`", kind="OAuth2 flow without tokenUrl"
                )
            else:
                client_id = self._credential(
                    f"{base}_client_id", f"OAuth2 client id (scheme `{key}`, client-credentials flow).", False, key
                )
                secret = self._credential(
                    f"{base}_client_secret", f"OAuth2 client secret (scheme `{key}`, client-credentials flow).", True, key
                )
                setups.append(
                    self._setup("OAuth2ClientCredentialsAuth", (client_id, secret), (client_id, secret), {"token_url": token_url})
                )
                summary = (
                    f"OAuth2: a token obtained from `{token_url}` with the client credentials (cached, renewed before it expires), "
                    "or an access token you obtained yourself; sent as a bearer token"
                )
        return SecurityScheme(key, "oauth2", summary, tuple(setups))


def _token_name(base: str, *, generic: tuple[str, ...]) -> str:
    if base in generic:
        return "bearer_token"
    return python_name(base if base.endswith("token") else f"{base}_token", fallback="token")
