"""Runtime plug-ins: vendor authentication kept out of the generic runtime, selected by spec extensions.

A plug-in is a folder with a `plugin.toml` manifest and one runtime module, copied unchanged into
the SDKs whose specs select it. Plug-in folders are listed in `[tool.sdkgen] plugins` (or with
`--plugins`); a checkout of sdkgen also searches its own `plugins/` last (`generator/locations.py`).
A manifest says:

- `description`, `module` (the file copied into the package), `exports` (names the package
  re-exports), `dependencies` (requirements added to the generated pyproject);
- `[auth.<name>]`: an `Auth` class the client builds from its constructor arguments: `class`,
  `arguments` (in the order the class takes them), `required`, `grant` (the grant type it gives
  a JSON-RPC token method), `summary` (README);
- `[tokens.<name>]`: `function`, a function of the module that takes the API's `Auth` (or None)
  and returns a fresh token for one WebSocket message (`x-jwt: {token: <name>}`), or None;
- `[credentials.<argument>]`: `env` (suffix of the environment variable), `description`, `secret`;
- `[[classes]]`: `signature` and `description` of each class users may construct (README);
- `readme`: Markdown added to the generated README's Authentication section (`{package}`: the package,
  `{api}`: the API that selected the plug-in).

Specs select an auth with `x-sdkgen-auth: <name>` (or `<plugin>/<name>`) on an OpenAPI security
scheme; an OpenRPC `x-auth` selects one per grant type it lists, and whole plug-ins with `plugins`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, SpecError, relative_display
from ..locations import CHECKOUT_PLUGINS

MANIFEST = "plugin.toml"


@dataclass(frozen=True)
class PluginAuth:
    """An `Auth` class of a plug-in that the client builds from its arguments."""

    plugin: str
    name: str
    auth_class: str
    arguments: tuple[str, ...]
    required: tuple[str, ...]
    grant: str
    summary: str


@dataclass(frozen=True)
class PluginCredential:
    name: str
    env: str
    description: str
    secret: bool


@dataclass(frozen=True)
class Plugin:
    name: str
    folder: Path
    description: str
    module: str
    exports: tuple[str, ...]
    dependencies: tuple[str, ...]
    auths: tuple[PluginAuth, ...]
    credentials: tuple[PluginCredential, ...]
    classes: tuple[tuple[str, str], ...]
    readme: str = ""  # Markdown for the generated README's Authentication section (`{package}`, `{api}` filled in)
    tokens: tuple[tuple[str, str], ...] = ()  # `[tokens.<name>]`: a token name and the module function that makes one


def _strings(value: Any, where: Location, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(where, f"`{key}` must be a list of strings")
    return tuple(value)


def _text(table: dict[str, Any], key: str, where: Location, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise SpecError(where, f"`{key}` must be {'a non-empty' if required else 'a'} string")
    return value


def load_plugin(folder: Path, root: Path) -> Plugin:
    """Read one plug-in folder's manifest (errors name the manifest and the key)."""
    manifest = folder / MANIFEST
    display = relative_display(manifest, root)
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(Location(display), f"cannot read the plug-in manifest: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Location(display), f"invalid TOML: {exc}") from None
    where = Location(display)
    module = _text(data, "module", where, required=True)
    if "/" in module or not module.endswith(".py") or not module.startswith("_") or not (folder / module).is_file():
        raise SpecError(Location(display, "/module"), f"`module` must name a `_*.py` file of {folder.name}/", f"{module!r} is not one")
    auths = []
    for name, table in (data.get("auth") or {}).items():
        at = Location(display, f"/auth/{name}")
        if not isinstance(table, dict):
            raise SpecError(at, "an auth must be a table")
        arguments = _strings(table.get("arguments"), at, "arguments")
        required = _strings(table.get("required", list(arguments)), at, "required")
        if not set(required) <= set(arguments):
            raise SpecError(at, "`required` must list some of `arguments`")
        auths.append(
            PluginAuth(
                plugin=folder.name,
                name=name,
                auth_class=_text(table, "class", at, required=True),
                arguments=arguments,
                required=required,
                grant=_text(table, "grant", at),
                summary=_text(table, "summary", at),
            )
        )
    credentials = []
    for name, table in (data.get("credentials") or {}).items():
        at = Location(display, f"/credentials/{name}")
        if not isinstance(table, dict) or not name.isidentifier():
            raise SpecError(at, "a credential is a table named like a Python argument")
        credentials.append(
            PluginCredential(
                name, _text(table, "env", at, required=True), _text(table, "description", at), table.get("secret") is not False
            )
        )
    declared = {c.name for c in credentials}
    for auth in auths:
        for argument in auth.arguments:
            if argument not in declared:
                raise SpecError(Location(display, f"/auth/{auth.name}"), f"argument {argument!r} has no [credentials.{argument}] table")
    classes = []
    for index, table in enumerate(data.get("classes") or []):
        at = Location(display, f"/classes/{index}")
        classes.append((_text(table, "signature", at, required=True), _text(table, "description", at)))
    return Plugin(
        name=folder.name,
        folder=folder,
        description=_text(data, "description", where),
        module=module,
        exports=_strings(data.get("exports"), where, "exports"),
        dependencies=_strings(data.get("dependencies"), where, "dependencies"),
        auths=tuple(auths),
        credentials=tuple(credentials),
        classes=tuple(classes),
        readme=_text(data, "readme", where).strip(),
        tokens=_tokens(data.get("tokens") or {}, display),
    )


def _tokens(tables: Any, display: str) -> tuple[tuple[str, str], ...]:
    """`[tokens.<name>] function = "..."`: the module function making that token for one message."""
    if not isinstance(tables, dict):
        raise SpecError(Location(display, "/tokens"), "`tokens` must be a table of tables")
    found = []
    for name, table in tables.items():
        at = Location(display, f"/tokens/{name}")
        function = _text(table, "function", at, required=True) if isinstance(table, dict) else ""
        if not function.isidentifier():
            raise SpecError(at, "a token needs `function`: the name of a function of the plug-in's module")
        found.append((name, function))
    return tuple(found)


@dataclass
class PluginRegistry:
    """The plug-ins of the configured folders, and which of them the specs selected."""

    folders: tuple[Path, ...]
    root: Path
    used: dict[str, Plugin] = field(default_factory=dict)
    used_by: dict[str, str] = field(default_factory=dict)  # plug-in → the first API that selected it
    _known: dict[str, Plugin] | None = None

    def known(self) -> dict[str, Plugin]:
        if self._known is None:
            self._known = {}
            fallback = (CHECKOUT_PLUGINS,) if CHECKOUT_PLUGINS is not None and CHECKOUT_PLUGINS.is_dir() else ()
            for folder in (*self.folders, *fallback):
                for manifest in sorted(folder.glob(f"*/{MANIFEST}")):
                    plugin = load_plugin(manifest.parent, self.root)
                    self._known.setdefault(plugin.name, plugin)  # an earlier folder wins
        return self._known

    def _searched(self) -> str:
        return ", ".join(relative_display(f, self.root) for f in self.folders) or "none configured"

    def plugin(self, name: str, where: Location, api: str = "") -> Plugin:
        """Select a whole plug-in by name (for API `api`)."""
        plugin = self.known().get(name)
        if plugin is None:
            raise SpecError(
                where, f"no plug-in named {name!r}", f"plug-in folders searched: {self._searched()}; see `plugins` in [tool.sdkgen]"
            )
        self.used[name] = plugin
        self.used_by.setdefault(name, api)
        return plugin

    def auth(self, reference: str, where: Location) -> PluginAuth:
        """Select an auth by `name` or `plugin/name`."""
        plugin_name, _, name = reference.rpartition("/")
        found = [
            auth
            for plugin in self.known().values()
            if not plugin_name or plugin.name == plugin_name
            for auth in plugin.auths
            if auth.name == name
        ]
        if not found:
            raise SpecError(where, f"no plug-in provides the auth {reference!r}", f"plug-in folders searched: {self._searched()}")
        if len(found) > 1:
            names = ", ".join(f"{a.plugin}/{a.name}" for a in found)
            raise SpecError(where, f"several plug-ins provide the auth {reference!r}: {names}", "qualify it as `plugin/name`")
        self.used[found[0].plugin] = self.known()[found[0].plugin]
        return found[0]

    def grant(self, grant_type: str, where: Location) -> PluginAuth:
        """Select the auth that gives `grant_type` to a JSON-RPC token method."""
        found = [auth for plugin in self.known().values() for auth in plugin.auths if auth.grant == grant_type]
        if len(found) != 1:
            problem = "no plug-in provides" if not found else "several plug-ins provide"
            raise SpecError(where, f"{problem} the grant type {grant_type!r}", f"plug-in folders searched: {self._searched()}")
        self.used[found[0].plugin] = self.known()[found[0].plugin]
        return found[0]

    def token(self, name: str, where: Location) -> str:
        """Select the hook (`module:function`) that makes the token `name` for one message (`x-jwt`)."""
        found = [(plugin, function) for plugin in self.known().values() for token, function in plugin.tokens if token == name]
        if len(found) != 1:
            problem = "no plug-in provides" if not found else "several plug-ins provide"
            raise SpecError(where, f"{problem} the token {name!r}", f"plug-in folders searched: {self._searched()}")
        plugin, function = found[0]
        self.used[plugin.name] = plugin
        return f"{plugin.module.removesuffix('.py')}:{function}"

    def credential(self, name: str) -> PluginCredential | None:
        for plugin in self.used.values():
            for credential in plugin.credentials:
                if credential.name == name:
                    return credential
        return None
