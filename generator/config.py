"""What to generate: `[tool.sdkgen]` in pyproject.toml, or the command line.

`SETTINGS` lists every key of `[tool.sdkgen]` with its command-line flag and meaning; the README's
table, `sdkgen generate --help` and `sdkgen init` are written from it, so the three cannot drift.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import Location, SpecError, relative_display


@dataclass(frozen=True)
class Setting:
    """One key of `[tool.sdkgen]`: its flag on the command line (empty: none), default and meaning."""

    key: str
    flag: str
    default: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("package", "--package", "(required)", "import name of the generated package"),
    Setting(
        "distribution",
        "--distribution",
        "package, with `-` for `_`",
        "distribution name on the package index (`pip install <distribution>`)",
    ),
    Setting("version", "--version", "0.1.0", "version of the generated package (`sdkgen release` bumps it)"),
    Setting("title", "--title", "the first API's title", "one-line name of the SDK, in docstrings and the README"),
    Setting("description", "--description", "the title", "the package's description (pyproject `description`)"),
    Setting(
        "env_prefix", "--env-prefix", "PACKAGE in capitals", "prefix of every environment variable `from_env()` reads (`<PREFIX>_API_KEY`)"
    ),
    Setting("license", "--license", "(none)", "SPDX license expression of the generated package (`MIT`, `Apache-2.0`)"),
    Setting("authors", "--author", "(none)", "authors, each `Name <email>` (flag: repeat it)"),
    Setting("urls", "--url", "(none)", "project URLs, a table of name → URL (flag: `--url Homepage=https://...`, repeat it)"),
    Setting("output", "--output", "generated", "folder the package is written to (`OUTPUT/PACKAGE`, its pyproject, README, docs)"),
    Setting("plugins", "--plugins", "(none)", "folders of runtime plug-ins (vendor authentication) the specs may select"),
    Setting(
        "spec_root",
        "--spec-root",
        "the project root (or the spec's folder)",
        "folder every `$ref`d file must lie under; a `$ref` outside it is refused",
    ),
    Setting("changelog", "", "CHANGELOG.md", "changelog copied into the output (and so into the sdist) when it exists"),
    Setting("apis", "--openapi, --openrpc", "(required)", "the APIs: an array of tables, one per spec (keys below)"),
    Setting(
        "apis.name",
        "NAME= before FILE",
        "`x-sdkgen-name` in the spec's `info`, else the title",
        "the client attribute of the API (`client.<name>`)",
    ),
    Setting("apis.openapi", "--openapi", "", "an OpenAPI 3.0/3.1 document (YAML or JSON), relative to the pyproject"),
    Setting("apis.openrpc", "--openrpc", "", "an OpenRPC 1.x document (one of `openapi`/`openrpc` per API)"),
    Setting("apis.overlays", "--overlay", "[]", "OpenAPI Overlay 1.0 documents applied in order (flag: to the first `--openapi`)"),
    Setting(
        "apis.asyncapi",
        "",
        "",
        "an AsyncAPI 2.6/3.0 document: the channels of the API's WebSocket client (an OpenRPC API with `x-websocket`, an OpenAPI API beside its REST client, or alone)",
    ),
    Setting("apis.asyncapi_overlays", "", "[]", "Overlay 1.0 documents applied to the AsyncAPI document, in order"),
    Setting(
        "apis.channels",
        "",
        "every channel",
        "globs on channel addresses (`user.orders.*`): the channels offered; one that matches nothing is an error",
    ),
)


@dataclass(frozen=True)
class ApiSource:
    """One spec and its overlays, reached as `client.<name>` (an empty name: from the spec)."""

    name: str
    kind: Literal["openapi", "openrpc", "asyncapi"]  # `asyncapi`: a WebSocket-only API (path is the AsyncAPI document)
    path: Path
    overlays: tuple[Path, ...] = ()
    asyncapi: Path | None = None  # the channels of the API's WebSocket client
    asyncapi_overlays: tuple[Path, ...] = ()
    channels: tuple[str, ...] = ()  # globs selecting channels of `asyncapi` (empty: all)


@dataclass(frozen=True)
class Config:
    """Everything a generation needs besides the specs' contents.

    Empty `title`, `description` and `env_prefix` are filled in from the specs and the package.
    """

    package: str
    distribution: str
    version: str
    title: str
    description: str
    env_prefix: str
    output: Path
    apis: tuple[ApiSource, ...]
    root: Path
    changelog: Path | None = None  # copied into the output (and so into the sdist) when it exists
    license: str = ""
    authors: tuple[str, ...] = ()
    urls: tuple[tuple[str, str], ...] = ()
    plugins: tuple[Path, ...] = ()
    spec_root: Path | None = None  # where `$ref`s may reach (None: the project root, see load/refs.py)


_ENV_PREFIX = re.compile(r"^[A-Z][A-Z0-9_]*$")
_DISTRIBUTION = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_AUTHOR = re.compile(r"^\s*([^<>]*?)\s*(?:<([^<>@\s]+@[^<>\s]+)>)?\s*$")


def _asyncapi_keys(entry: dict[str, Any], root: Path, where: Location) -> dict[str, Any]:
    """`asyncapi`, `asyncapi_overlays` and `channels` of one API entry, checked."""
    keys: dict[str, Any] = {}
    if "asyncapi" in entry:
        if not isinstance(entry["asyncapi"], str) or not entry["asyncapi"]:
            raise SpecError(where, "`asyncapi` must be a file name")
        keys["asyncapi"] = root / entry["asyncapi"]
    for key in ("asyncapi_overlays", "channels"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise SpecError(where, f"`{key}` must be a list of strings")
        if value and "asyncapi" not in keys:
            raise SpecError(where, f"`{key}` needs `asyncapi` (the document it applies to)")
        keys[key] = tuple(root / v for v in value) if key == "asyncapi_overlays" else tuple(value)
    return keys


def _require(table: dict[str, Any], key: str, where: Location) -> Any:
    if key not in table:
        raise SpecError(where, f"missing `{key}` in [tool.sdkgen]")
    return table[key]


def parse_author(text: str, where: Location) -> tuple[str, str]:
    """`Name <email>` → (name, email); either may be empty, not both."""
    match = _AUTHOR.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise SpecError(where, f"author {text!r} is not `Name <email>`")
    return match.group(1), match.group(2) or ""


def check_metadata(config: Config, where: Location) -> Config:
    """Refuse metadata that would make an unusable package (with the key to fix)."""
    if not config.package.isidentifier():
        raise SpecError(Location(where.file, where.pointer + "/package"), f"{config.package!r} is not a Python package name")
    if not _DISTRIBUTION.match(config.distribution):
        raise SpecError(Location(where.file, where.pointer + "/distribution"), f"{config.distribution!r} is not a valid distribution name")
    if config.env_prefix and not _ENV_PREFIX.match(config.env_prefix):
        raise SpecError(
            Location(where.file, where.pointer + "/env_prefix"),
            f"{config.env_prefix!r} is not an environment variable prefix",
            "use A-Z, 0-9 and _",
        )
    for author in config.authors:
        parse_author(author, Location(where.file, where.pointer + "/authors"))
    for name, url in config.urls:
        if not url.startswith(("https://", "http://")):
            raise SpecError(Location(where.file, where.pointer + "/urls"), f"URL {name!r} must start with https:// or http://, not {url!r}")
    return config


def _strings(table: dict[str, Any], key: str, where: Location) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(Location(where.file, f"{where.pointer}/{key}"), f"`{key}` must be a list of strings")
    return tuple(value)


def load_pyproject(path: Path) -> Config:
    """Read the configuration from `[tool.sdkgen]`."""
    display = relative_display(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(
            Location(display), "no pyproject.toml here", "run from the project root, pass --openapi/--openrpc, or `sdkgen init`"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Location(display), f"invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("sdkgen")
    where = Location(display, "/tool/sdkgen")
    if not isinstance(table, dict):
        raise SpecError(where, "no [tool.sdkgen] table", "`sdkgen init --openapi FILE` writes one")
    known = {s.key for s in SETTINGS if "." not in s.key}
    for key in table:
        if key not in known:
            raise SpecError(Location(display, f"/tool/sdkgen/{key}"), f"unknown key `{key}`", f"the keys are: {', '.join(sorted(known))}")
    root = path.parent.resolve()
    apis = []
    for index, entry in enumerate(_require(table, "apis", where)):
        entry_where = Location(display, f"/tool/sdkgen/apis/{index}")
        kinds = [k for k in ("openapi", "openrpc") if k in entry] or [k for k in ("asyncapi",) if k in entry]
        if len(kinds) != 1:
            raise SpecError(entry_where, "each API needs exactly one of `openapi` or `openrpc` (or only `asyncapi`)")
        kind: Literal["openapi", "openrpc", "asyncapi"] = kinds[0]  # type: ignore[assignment]
        name = entry.get("name", "")
        apis.append(
            ApiSource(
                name=str(name),  # made a Python name by the builder
                kind=kind,
                path=root / entry[kind],
                overlays=tuple(root / o for o in entry.get("overlays", [])),
                **_asyncapi_keys(entry, root, Location(display, f"/tool/sdkgen/apis/{index}")),
            )
        )
    package = _require(table, "package", where)
    urls = table.get("urls", {})
    if not isinstance(urls, dict) or not all(isinstance(v, str) for v in urls.values()):
        raise SpecError(Location(display, "/tool/sdkgen/urls"), "`urls` must be a table of name = URL")
    config = Config(
        package=package,
        distribution=table.get("distribution", str(package).replace("_", "-")),
        version=str(table.get("version", "0.1.0")),
        title=table.get("title", ""),
        description=table.get("description", ""),
        env_prefix=table.get("env_prefix", ""),
        output=root / table.get("output", "generated"),
        apis=tuple(apis),
        root=root,
        changelog=root / table.get("changelog", "CHANGELOG.md"),
        spec_root=root / table["spec_root"] if isinstance(table.get("spec_root"), str) else None,
        license=str(table.get("license", "")),
        authors=_strings(table, "authors", where),
        urls=tuple((str(k), v) for k, v in urls.items()),
        plugins=tuple(root / p for p in _strings(table, "plugins", where)),
    )
    return check_metadata(config, where)


def from_arguments(
    *,
    package: str,
    output: Path,
    openapi: list[str],
    openrpc: list[str],
    overlays: list[Path],
    version: str,
    distribution: str = "",
    title: str = "",
    description: str = "",
    env_prefix: str = "",
    license: str = "",
    authors: tuple[str, ...] = (),
    urls: tuple[tuple[str, str], ...] = (),
    plugins: tuple[Path, ...] = (),
    spec_root: Path | None = None,
) -> Config:
    """A configuration for any spec given on the command line (`NAME=FILE` names the API)."""
    if not package.isidentifier():
        raise SpecError(Location("--package"), f"{package!r} is not a Python package name")
    apis: list[ApiSource] = []
    for kind, values in (("openapi", openapi), ("openrpc", openrpc)):
        for value in values:
            name, sep, file = value.partition("=")
            path = Path(file if sep else value)
            apis.append(ApiSource(name=name if sep else "", kind=kind, path=path.resolve(), overlays=()))  # type: ignore[arg-type]
    if not apis:
        raise SpecError(Location("command line"), "nothing to generate", "pass --openapi FILE and/or --openrpc FILE")
    if overlays:
        first = next((i for i, a in enumerate(apis) if a.kind == "openapi"), None)
        if first is None:
            raise SpecError(Location("--overlay"), "overlays apply to OpenAPI documents; none was given")
        apis[first] = ApiSource(apis[first].name, apis[first].kind, apis[first].path, tuple(p.resolve() for p in overlays))
    config = Config(
        package=package,
        distribution=distribution or package.replace("_", "-"),
        version=version,
        title=title,
        description=description,
        env_prefix=env_prefix,
        output=output.resolve(),
        apis=tuple(apis),
        root=Path.cwd().resolve(),
        spec_root=spec_root.resolve() if spec_root is not None else None,
        license=license,
        authors=authors,
        urls=urls,
        plugins=tuple(p.resolve() for p in plugins),
    )
    return check_metadata(config, Location("command line"))
