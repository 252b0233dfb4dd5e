"""`sdkgen` / `python -m generator`: generate, check or print the IR."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build.sdk import build_sdk
from .config import Config, from_arguments, load_pyproject
from .errors import Diagnostics, SdkgenError
from .ir import to_json
from .pipeline import DEFAULT_TEMPLATES, check, deep_recursion, generate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdkgen", description="Generate a typed Python SDK from OpenAPI and OpenRPC specs.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the SDK (atomically) into the output directory"),
        ("check", "exit 1 with a unified diff when the output is not what the generator makes now"),
        ("ir", "print the intermediate representation as JSON"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml with [tool.sdkgen] (used when no spec is given)"
        )
        sub.add_argument("--openapi", action="append", default=[], metavar="[NAME=]FILE", help="an OpenAPI 3.0/3.1 document (YAML or JSON)")
        sub.add_argument("--openrpc", action="append", default=[], metavar="[NAME=]FILE", help="an OpenRPC 1.x document")
        sub.add_argument(
            "--overlay", action="append", default=[], type=Path, metavar="FILE", help="an OpenAPI Overlay applied to the first --openapi"
        )
        sub.add_argument("--output", type=Path, help="output directory (the package is written to OUTPUT/PACKAGE)")
        sub.add_argument("--package", help="import name of the generated package")
        sub.add_argument("--version", default="0.1.0", help="version of the generated package")
        sub.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="templates folder")
    return parser


def _config(args: argparse.Namespace) -> Config:
    if args.openapi or args.openrpc:
        if not args.output or not args.package:
            raise SdkgenError("--output and --package are required with --openapi/--openrpc")
        return from_arguments(
            package=args.package,
            output=args.output,
            openapi=args.openapi,
            openrpc=args.openrpc,
            overlays=args.overlay,
            version=args.version,
        )
    return load_pyproject(args.config)


def _print_warnings(diagnostics: Diagnostics) -> None:
    for line in diagnostics.summary():
        print(line, file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        config = _config(args)
        if args.command == "ir":
            diagnostics = Diagnostics()
            with deep_recursion():
                sdk = build_sdk(config, diagnostics)
            sys.stdout.write(to_json(sdk))
            _print_warnings(diagnostics)
            return 0
        if args.command == "check":
            result, diff = check(config, args.templates)
            _print_warnings(result.diagnostics)
            if diff or result.changes:
                sys.stdout.write(diff)
                print(
                    f"error: {config.output.name}/ is not what the generator makes from the specs and templates; run `make regenerate` and commit the result",
                    file=sys.stderr,
                )
                return 1
            print(f"{config.output.name}/ is up to date ({time.perf_counter() - started:.2f} s)")
            return 0
        result = generate(config, args.templates)
        _print_warnings(result.diagnostics)
        changes = result.changes
        summary = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed" if changes else "no changes"
        operations = sum(len(g.operations) for api in result.sdk.apis for g in api.groups)
        models = sum(len(api.models) for api in result.sdk.apis)
        print(
            f"generated {result.sdk.package} into {config.output}: {operations} operations, {models} models; {summary} ({time.perf_counter() - started:.2f} s)"
        )
        return 0
    except SdkgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the output was left as it was", file=sys.stderr)
        return 130
