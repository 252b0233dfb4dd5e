"""What to generate: `[tool.sdkgen]` in pyproject.toml, or the command line."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .build.naming import python_name, snake_case
from .errors import Location, SpecError, relative_display


@dataclass(frozen=True)
class ApiSource:
    """One spec and its overlays, reached as `client.<name>`."""

    name: str
    kind: Literal["openapi", "openrpc"]
    path: Path
    overlays: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Config:
    """Everything a generation needs besides the specs' contents."""

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
    spec_root: Path | None = None  # where `$ref`s may reach (None: the project root, see load/refs.py)


def _require(table: dict[str, Any], key: str, where: Location) -> Any:
    if key not in table:
        raise SpecError(where, f"missing `{key}` in [tool.sdkgen]")
    return table[key]


def load_pyproject(path: Path) -> Config:
    """Read the flagship configuration from `[tool.sdkgen]`."""
    display = relative_display(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(Location(display), "no pyproject.toml here", "run from the project root or pass --openapi/--openrpc") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Location(display), f"invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("sdkgen")
    where = Location(display, "/tool/sdkgen")
    if not isinstance(table, dict):
        raise SpecError(where, "no [tool.sdkgen] table")
    root = path.parent.resolve()
    apis = []
    for index, entry in enumerate(_require(table, "apis", where)):
        entry_where = Location(display, f"/tool/sdkgen/apis/{index}")
        kinds = [k for k in ("openapi", "openrpc") if k in entry]
        if len(kinds) != 1:
            raise SpecError(entry_where, "each API needs exactly one of `openapi` or `openrpc`")
        kind: Literal["openapi", "openrpc"] = "openapi" if kinds[0] == "openapi" else "openrpc"
        apis.append(
            ApiSource(
                name=python_name(_require(entry, "name", entry_where), fallback="api"),
                kind=kind,
                path=root / entry[kind],
                overlays=tuple(root / o for o in entry.get("overlays", [])),
            )
        )
    package = _require(table, "package", where)
    return Config(
        package=package,
        distribution=table.get("distribution", package.replace("_", "-")),
        version=str(table.get("version", "0.1.0")),
        title=table.get("title", package),
        description=table.get("description", ""),
        env_prefix=table.get("env_prefix", package.upper()),
        output=root / table.get("output", "generated"),
        apis=tuple(apis),
        root=root,
        changelog=root / table.get("changelog", "CHANGELOG.md"),
        spec_root=root / table["spec_root"] if isinstance(table.get("spec_root"), str) else None,
    )


def from_arguments(
    *, package: str, output: Path, openapi: list[str], openrpc: list[str], overlays: list[Path], version: str, spec_root: Path | None = None
) -> Config:
    """A configuration for any spec given on the command line (`NAME=FILE` names the API)."""
    if not package.isidentifier():
        raise SpecError(Location("--package"), f"{package!r} is not a Python package name")
    apis: list[ApiSource] = []
    for kind, values in (("openapi", openapi), ("openrpc", openrpc)):
        for value in values:
            name, sep, file = value.partition("=")
            path = Path(file if sep else value)
            api_name = python_name(name, fallback="api") if sep else ""
            apis.append(ApiSource(name=api_name, kind=kind, path=path.resolve(), overlays=()))  # type: ignore[arg-type]
    if not apis:
        raise SpecError(Location("command line"), "nothing to generate", "pass --openapi FILE and/or --openrpc FILE")
    if overlays:
        first = next((i for i, a in enumerate(apis) if a.kind == "openapi"), None)
        if first is None:
            raise SpecError(Location("--overlay"), "overlays apply to OpenAPI documents; none was given")
        apis[first] = ApiSource(apis[first].name, apis[first].kind, apis[first].path, tuple(p.resolve() for p in overlays))
    return Config(
        package=package,
        distribution=package.replace("_", "-"),
        version=version,
        title=package,
        description="",
        env_prefix=snake_case(package).upper(),
        output=output.resolve(),
        apis=tuple(apis),
        root=Path.cwd().resolve(),
        spec_root=spec_root.resolve() if spec_root is not None else None,
    )
