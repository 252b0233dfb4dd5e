"""`sdkgen init`: a starting `[tool.sdkgen]` for a team's own specs, filled in from the specs' `info`."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import Diagnostics, Location, SdkgenError, SpecError
from .ir_builder.naming import python_name, snake_case
from .ir_builder.sdk import api_name, default_env_prefix
from .load.documents import read_document

_SPDX = re.compile(r"^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _first_line(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    line = " ".join(text.strip().split("\n\n")[0].split())
    return line if len(line) <= 200 else line[:197].rsplit(" ", 1)[0] + "..."


def init_config(path: Path, *, openapi: list[str], openrpc: list[str], package: str | None) -> Path:
    """Write `[tool.sdkgen]` for the given specs into `path` (created, or appended to); return it."""
    if not openapi and not openrpc:
        raise SdkgenError("sdkgen init needs the specs: --openapi FILE and/or --openrpc FILE")
    path = path.resolve()
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    if existing:
        try:
            data = tomllib.loads(existing)
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(Location(str(path)), f"invalid TOML: {exc}") from None
        if "sdkgen" in data.get("tool", {}):
            raise SpecError(
                Location(str(path), "/tool/sdkgen"), "already has a [tool.sdkgen] table", "edit it, or init another file with --config"
            )
    root = path.parent
    diagnostics = Diagnostics()
    apis: list[tuple[str, str, str]] = []  # (name, kind, path relative to the pyproject)
    infos: list[dict[str, Any]] = []
    docs: list[Any] = []
    for kind, values in (("openapi", openapi), ("openrpc", openrpc)):
        for value in values:
            given, sep, file = value.partition("=")
            spec = Path(file if sep else value).resolve()
            document = read_document(spec, root=root)
            name = api_name(given if sep else "", document, diagnostics)
            if name in {a[0] for a in apis}:
                name = f"{name}_{len(apis) + 1}"
            apis.append((name, kind, Path(os.path.relpath(spec, root)).as_posix()))
            info = document.data.get("info")
            infos.append(info if isinstance(info, dict) else {})
            external = document.data.get("externalDocs")
            docs.append(external.get("url") if isinstance(external, dict) else None)
    info = infos[0]
    package = package or python_name(f"{apis[0][0]}_sdk", fallback="sdk")
    if not package.isidentifier():
        raise SdkgenError(f"--package {package!r} is not a Python package name")
    title = str(info.get("title") or package) if len(apis) == 1 else package
    lines = [
        "",
        "# sdkgen: what to generate (`sdkgen generate` reads this table; `sdkgen generate --help` lists every key).",
        "[tool.sdkgen]",
        f"package = {_toml(package)}",
        f"distribution = {_toml(package.replace('_', '-'))}",
        'version = "0.1.0"',
        f"title = {_toml(title)}",
    ]
    description = _first_line(info.get("description"))
    if description:
        lines.append(f"description = {_toml(description)}")
    lines.append(f"env_prefix = {_toml(default_env_prefix(snake_case(apis[0][0])))}")
    raw_license = info.get("license")
    license_info: dict[str, Any] = raw_license if isinstance(raw_license, dict) else {}
    license_text = str(license_info.get("identifier") or license_info.get("name") or "")
    if license_text and _SPDX.match(license_text):
        lines.append(f"license = {_toml(license_text)}")
    else:
        lines.append(f'# license = "MIT"  # an SPDX expression{f" (the spec says: {license_text})" if license_text else ""}')
    raw_contact = info.get("contact")
    contact: dict[str, Any] = raw_contact if isinstance(raw_contact, dict) else {}
    author = " ".join(p for p in (str(contact.get("name") or ""), f"<{contact['email']}>" if contact.get("email") else "") if p)
    if author:
        lines.append(f"authors = [{_toml(author)}]")
    candidates = {"Homepage": contact.get("url"), "Documentation": docs[0]}
    urls = {k: v for k, v in candidates.items() if isinstance(v, str) and v.startswith(("https://", "http://"))}
    if urls:
        lines.append("urls = { " + ", ".join(f"{k} = {_toml(v)}" for k, v in urls.items()) + " }")
    lines.append('output = "generated"')
    for name, kind, spec_path in apis:
        lines += ["", "[[tool.sdkgen.apis]]", f"name = {_toml(name)}", f"{kind} = {_toml(spec_path)}"]
    text = existing.rstrip("\n") + "\n" + "\n".join(lines) + "\n" if existing else "\n".join(lines[1:]) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
