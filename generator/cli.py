"""`sdkgen` / `python -m generator`: generate, check or print the IR."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import sys
import time
from pathlib import Path

from .config import SETTINGS, Config, check_metadata, from_arguments, load_pyproject
from .errors import Diagnostics, Location, SdkgenError
from .locations import TEMPLATES as DEFAULT_TEMPLATES
from .progress import add_verbosity_options, choose_reporter, reporting, verbosity_of
from .publish import add_publish_command, publish_command

# The stages (and jinja2, PyYAML, the validators behind them) are imported by the commands that run
# them: `sdkgen generate` with an up-to-date output (generator/uptodate.py) needs none of them, and
# importing them was most of its time.

EXIT_BREAKING = 2  # `sdkgen diff` found breaking changes (1 is an error)
_verbosity = 1  # set by main from -q/-v: 0 errors only, 1 grouped warnings and progress, 2 everything


def _settings_epilog() -> str:
    """The keys of [tool.sdkgen], for `--help` (README.md has the same table)."""
    width = max(len(s.key) for s in SETTINGS)
    lines = ["[tool.sdkgen] keys (pyproject.toml), used when no --openapi/--openrpc is given; the flags override them:"]
    for setting in SETTINGS:
        flag = f" [{setting.flag}]" if setting.flag else ""
        lines.append(f"  {setting.key.ljust(width)}  {setting.meaning}{flag} (default: {setting.default})")
    return "\n".join(lines)


def _metadata_flags(sub: argparse.ArgumentParser) -> None:
    """The packaging flags; each overrides the [tool.sdkgen] key of the same name."""
    sub.add_argument("--distribution", help="distribution name on the package index (default: the package, with - for _)")
    sub.add_argument("--title", help="one-line name of the SDK (default: the API's title)")
    sub.add_argument("--description", help="the package's description (default: the title)")
    sub.add_argument("--env-prefix", help="prefix of the environment variables from_env() reads (default: PACKAGE in capitals)")
    sub.add_argument("--license", help="SPDX license expression of the generated package (default: none)")
    sub.add_argument("--author", action="append", default=[], metavar="'NAME <EMAIL>'", help="an author (repeat it)")
    sub.add_argument("--url", action="append", default=[], metavar="NAME=URL", help="a project URL, e.g. Homepage=https://... (repeat it)")
    sub.add_argument("--plugins", action="append", default=[], type=Path, metavar="DIR", help="a folder of runtime plug-ins (repeat it)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdkgen", description="Generate a typed Python SDK from OpenAPI and OpenRPC specs.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("generate", "write the SDK (atomically) into the output directory"),
        ("check", "exit 1 with a unified diff when the output is not what the generator makes now"),
        ("ir", "print the intermediate representation as JSON"),
    ):
        sub = commands.add_parser(
            name, help=text, description=text, epilog=_settings_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter
        )
        sub.add_argument(
            "--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml with [tool.sdkgen] (used when no spec is given)"
        )
        sub.add_argument("--openapi", action="append", default=[], metavar="[NAME=]FILE", help="an OpenAPI 3.0/3.1 document (YAML or JSON)")
        sub.add_argument("--openrpc", action="append", default=[], metavar="[NAME=]FILE", help="an OpenRPC 1.x document")
        sub.add_argument(
            "--overlay", action="append", default=[], type=Path, metavar="FILE", help="an OpenAPI Overlay applied to the first --openapi"
        )
        sub.add_argument(
            "--output", type=Path, help="output directory (the package is written to OUTPUT/PACKAGE); overrides [tool.sdkgen] output"
        )
        sub.add_argument("--package", help="import name of the generated package")
        sub.add_argument("--version", default=None, help="version of the generated package (default 0.1.0)")
        _metadata_flags(sub)
        sub.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="templates folder")
        sub.add_argument(
            "--spec-root", type=Path, help="folder every `$ref`d file must lie under (default: the project root, or the spec's folder)"
        )
        if name == "generate":
            sub.add_argument(
                "--force", action="store_true", help="generate even when the inputs and the output are as the last generation left them"
            )
    init = commands.add_parser(
        "init",
        help="write a starting [tool.sdkgen] for a spec into pyproject.toml",
        description="Read the specs and write a [tool.sdkgen] table (package, distribution, title, env prefix, license, "
        "authors and URLs from the spec's info) into pyproject.toml, creating it when missing. "
        "An existing [tool.sdkgen] is never overwritten.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument("--openapi", action="append", default=[], metavar="[NAME=]FILE", help="an OpenAPI 3.0/3.1 document")
    init.add_argument("--openrpc", action="append", default=[], metavar="[NAME=]FILE", help="an OpenRPC 1.x document")
    init.add_argument("--package", help="import name of the package (default: from the spec's title)")
    init.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="the pyproject.toml to write")
    diff = commands.add_parser(
        "diff",
        help="report API changes between two surfaces, classified breaking or not, with a proposed version bump",
        description="Compare two SDK surfaces. Each side is an api.json, a pyproject.toml (or folder) with [tool.sdkgen], "
        "a single OpenAPI/OpenRPC file ([NAME=]FILE), or a git revision. Exit status: 0 nothing breaking, "
        f"{EXIT_BREAKING} breaking changes found, 1 error.",
    )
    diff.add_argument(
        "old", nargs="?", default=None, help="the baseline (default: the latest release tag v<version>, else HEAD with a warning)"
    )
    diff.add_argument("new", nargs="?", help="the candidate (default: the specs in the working tree, per --config)")
    diff.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml with [tool.sdkgen]")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown", help="report format (default: markdown)")
    diff.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    diff.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="templates folder")
    rel = commands.add_parser(
        "release",
        help="set the package version (given, or proposed by the diff since the last release) and prepend a CHANGELOG entry",
        description="Bump [tool.sdkgen] version, prepend a CHANGELOG entry built from `sdkgen diff`, and regenerate.",
    )
    rel.add_argument("--version", dest="release_version", help="the new version (default: the bump the diff proposes)")
    rel.add_argument("--since", help="baseline revision (default: the latest release tag v<version>, else HEAD with a warning)")
    rel.add_argument("--date", default=None, help="release date for the CHANGELOG (default: today, UTC)")
    rel.add_argument("--force", action="store_true", help="accept a version smaller than the changes require")
    rel.add_argument("--config", type=Path, default=Path("pyproject.toml"), help="pyproject.toml with [tool.sdkgen]")
    rel.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="templates folder")
    add_publish_command(commands)
    for command in commands.choices.values():
        add_verbosity_options(command)
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    """The packaging flags given on the command line, as Config fields."""
    out: dict[str, object] = {}
    for flag, field in (
        ("distribution", "distribution"),
        ("title", "title"),
        ("description", "description"),
        ("env_prefix", "env_prefix"),
        ("license", "license"),
    ):
        value = getattr(args, flag)
        if value is not None:
            out[field] = value
    if args.author:
        out["authors"] = tuple(args.author)
    if args.url:
        urls = []
        for value in args.url:
            name, sep, url = value.partition("=")
            if not sep or not name:
                raise SdkgenError(f"--url {value!r}: expected NAME=URL")
            urls.append((name, url))
        out["urls"] = tuple(urls)
    if args.plugins:
        out["plugins"] = tuple(p.resolve() for p in args.plugins)
    return out


def _config(args: argparse.Namespace) -> Config:
    if args.openapi or args.openrpc:
        if not args.output or not args.package:
            raise SdkgenError("--output and --package are required with --openapi/--openrpc")
        config = from_arguments(
            package=args.package,
            output=args.output,
            openapi=args.openapi,
            openrpc=args.openrpc,
            overlays=args.overlay,
            version=args.version or "0.1.0",
            spec_root=args.spec_root,
        )
    else:
        config = load_pyproject(args.config)
        if args.spec_root is not None:  # an explicit --spec-root wins over [tool.sdkgen] spec_root
            config = dataclasses.replace(config, spec_root=args.spec_root.resolve())
        if args.output is not None:  # an explicit --output wins over [tool.sdkgen] output
            config = dataclasses.replace(config, output=args.output.resolve())
        if args.package is not None and args.package != config.package:
            raise SdkgenError(
                f"--package {args.package} differs from [tool.sdkgen] package = {config.package!r}; change the config instead"
            )
        if args.version is not None:
            config = dataclasses.replace(config, version=args.version)
    overrides = _overrides(args)
    if overrides:
        config = check_metadata(dataclasses.replace(config, **overrides), Location("command line"))  # type: ignore[arg-type]
    return config


def _print_warning(text: str) -> None:
    if _verbosity > 0:
        print(f"warning: {text}", file=sys.stderr)


def _print_warnings(diagnostics: Diagnostics) -> None:
    for line in diagnostics.summary(limit=None if _verbosity > 1 else 2) if _verbosity > 0 else []:
        print(line, file=sys.stderr)


def _diff(args: argparse.Namespace) -> int:
    from .release import last_release, repository_root
    from .surface.report import compare, report_json, to_markdown
    from .surface.sources import resolve, surface_of_config

    root = args.config.resolve().parent
    baseline = args.old
    if baseline is None:  # the last release: what the next release would be compared with
        config = load_pyproject(args.config)
        found = last_release(repository_root(root, "diff"), args.config, config.version)
        if found.warning:
            _print_warning(found.warning)
        baseline = found.revision
    old = resolve(baseline, root=root)
    if args.new is None:
        new_surface = surface_of_config(load_pyproject(args.config))
        new_label = "working tree"
    else:
        side = resolve(args.new, root=root)
        new_surface, new_label = side.surface, side.label
    report = compare(old.label, old.surface, new_label, new_surface)
    text = report_json(report) if args.format == "json" else to_markdown(report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {report.level} ({len(report.breaking)} breaking of {len(report.changes)} changes)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_BREAKING if report.breaking else 0


def _release(args: argparse.Namespace) -> int:
    from .release import release

    date = args.date or datetime.datetime.now(datetime.UTC).date().isoformat()
    done = release(
        args.config, args.templates, version=args.release_version, since=args.since, date=date, force=args.force, warn=_print_warning
    )
    _print_warnings(done.generation.diagnostics)
    print(
        f"released {done.previous} → {done.version} ({done.report.level} changes since {done.report.old_label}): "
        f"{done.changelog.name} updated, committed {done.commit[:12]} and tagged {done.tag}"
    )
    print("next: push the commit and the tag (git push --follow-tags), then `make publish`")
    return 0


def main(argv: list[str] | None = None) -> int:
    global _verbosity
    args = _parser().parse_args(argv)
    _verbosity = verbosity_of(args)
    with reporting(choose_reporter(_verbosity) if args.command in ("generate", "check", "release") else None):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        if args.command == "diff":
            return _diff(args)
        if args.command == "release":
            return _release(args)
        if args.command == "publish":
            return publish_command(args, quiet=_verbosity == 0)
        if args.command == "init":
            from .init import init_config

            written = init_config(args.config, openapi=args.openapi, openrpc=args.openrpc, package=args.package)
            print(f"wrote [tool.sdkgen] to {written}; review it, then run `sdkgen generate`")
            return 0
        config = _config(args)
        if args.command == "ir":
            from .ir import to_json
            from .ir_builder.sdk import build_sdk
            from .recursion import deep_recursion

            diagnostics = Diagnostics()
            with deep_recursion():
                sdk = build_sdk(config, diagnostics)
            sys.stdout.write(to_json(sdk))
            _print_warnings(diagnostics)
            return 0
        if args.command == "check":
            from .pipeline import check

            result, diff = check(config, args.templates)
            _print_warnings(result.diagnostics)
            if diff or result.changes:
                sys.stdout.write(diff)
                print(
                    f"error: {config.output.name}/ is not what the generator makes from the specs and templates; run `make regenerate` and commit the result",
                    file=sys.stderr,
                )
                return 1
            if _verbosity > 0:
                print(f"{config.output.name}/ is up to date ({time.perf_counter() - started:.2f} s)")
            return 0
        return _generate(args, config, started)
    except SdkgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file-system fault the stages did not report themselves
        from .write import os_error

        print(f"error: {os_error(exc, 'read or write it')}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the output was left as it was", file=sys.stderr)
        return 130


def _generate(args: argparse.Namespace, config: Config, started: float) -> int:
    """`sdkgen generate`: reuse the output when it is current (generator/uptodate.py), else generate and record it."""
    from . import uptodate

    recorded = uptodate.enabled()  # SDKGEN_CACHE_DIR=off: no records
    # The key is taken before anything is read: a file changed while the generation runs is seen next time.
    key = uptodate.static_key(config, args.templates) if recorded else ""
    if recorded and not args.force and config.output.parent.is_dir():
        from .write import locked, remove_stale_stages

        with locked(config.output):
            remove_stale_stages(config.output)  # what a killed generation left, as a generation would
            reused = uptodate.reusable(config, args.templates, key)
        if reused is not None:
            if _verbosity > 0:
                for line in reused.all_warnings if _verbosity > 1 else reused.warnings:
                    print(line, file=sys.stderr)
                print(
                    f"generated {reused.package} into {config.output}: {reused.operations} operations, {reused.models} models; "
                    f"no changes ({time.perf_counter() - started:.2f} s)"
                )
                print(
                    "up to date: the specs, configuration, templates and generator are as the last generation read them, and so is its output (--force regenerates)"
                )
                print("\n".join(reused.surface))
            return 0
    from .pipeline import generate
    from .surface.report import Report, summary_lines

    with uptodate.recording() as inputs:
        result = generate(config, args.templates)
    _print_warnings(result.diagnostics)
    changes = result.changes
    summary = f"{len(changes.added)} added, {len(changes.changed)} changed, {len(changes.removed)} removed" if changes else "no changes"
    operations = sum(len(g.operations) for api in result.sdk.apis for g in api.groups)
    models = sum(len(api.models) for api in result.sdk.apis)
    if _verbosity > 0:
        print(
            f"generated {result.sdk.package} into {config.output}: {operations} operations, {models} models; {summary} ({time.perf_counter() - started:.2f} s)"
        )
        if result.work is not None:
            print(result.work.summary())
    if result.api_changes is not None and _verbosity > 0:
        print("\n".join(summary_lines(result.api_changes)))
    unchanged = summary_lines(Report("previous output", "regenerated", config.version, ()))
    outcome = uptodate.Outcome(
        result.sdk.package,
        operations,
        models,
        tuple(result.diagnostics.summary()),
        tuple(result.diagnostics.summary(limit=None)),
        tuple(unchanged),
    )
    if recorded:
        uptodate.remember(config, args.templates, key, inputs, result.manifest, outcome)
    return 0
