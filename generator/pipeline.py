"""The whole pipeline: load → IR → render → format → write (or compare, for `check`)."""

from __future__ import annotations

import contextlib
import difflib
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import Diagnostics
from .ir import Sdk
from .ir_builder.sdk import build_sdk
from .load.background import validating
from .locations import TEMPLATES
from .progress import stage as progress_stage
from .recursion import deep_recursion
from .render.cache import RenderCache, Work
from .render.files import render_sdk
from .render.format import format_tree
from .surface.diff import diff_surfaces
from .surface.extract import FORMAT, SURFACE_FILE, Surface
from .surface.report import Report
from .uptodate import note_absent, note_read
from .write import MANIFEST, Changes, commit, locked, manifest_text, read_manifest, remove_stale_stages, staging, tree_files, write_files

DEFAULT_TEMPLATES = TEMPLATES  # inside the package when installed from a wheel (generator/locations.py)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the IR is built and rendered.

    Nearly everything a generation allocates stays alive until it ends (the documents, the IR, the
    rendered text), so each full collection rescans it all for nothing: on GitHub's spec, four of
    them cost about 0.5 s of 3.3 s of CPU, and pausing them moved peak memory by under 1%. The
    collector runs again as soon as the files are rendered.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


CHANGELOG_FILE = "CHANGELOG.md"


@dataclass(frozen=True)
class Result:
    sdk: Sdk
    diagnostics: Diagnostics
    changes: Changes
    api_changes: Report | None = None  # the surface diff against the previous output (None: there was none)
    work: Work | None = None  # what was rendered and formatted, and what was reused (None: no cache)
    manifest: bytes = b""  # the manifest the output holds now (`generate`), for its record (generator/uptodate.py)


# More files than this are formatted by one ruff run over the whole tree (a command line has limits).
_MAX_LISTED = 1000


def _render_into(
    stage: Path, config: Config, templates: Path, diagnostics: Diagnostics, *, semantic: bool = False
) -> tuple[Sdk, dict[str, bytes], Work | None]:
    # A spec's structure is validated before it is built (an error writes nothing). `semantic`
    # (`check`): openapi-spec-validator's slow checks run too, in the background while the IR is
    # built and rendered, joined before anything is compared.
    cache = RenderCache.open(templates)
    with (
        deep_recursion(),
        collector_paused(),
        progress_stage("validating the specs (beside the build)"),
        validating(diagnostics, semantic=semantic) as validations,
    ):
        with progress_stage("reading the specs and building the IR"):
            sdk = build_sdk(config, diagnostics, validations)
        with progress_stage("rendering the models and modules"):
            rendered = render_sdk(sdk, templates, config.root)
    # A large spec's files are tens of MB of text: each is encoded and its text let go in turn, so
    # the two copies are never all alive at once (peak memory).
    files = {path: rendered.pop(path).encode("utf-8") for path in list(rendered)}
    if config.changelog is not None and config.changelog.is_file():  # the package ships its changelog
        files[CHANGELOG_FILE] = config.changelog.read_bytes()
        note_read(config.changelog, files[CHANGELOG_FILE])
    elif config.changelog is not None:
        note_absent(config.changelog)
    with progress_stage("formatting with ruff"):
        if cache is None:
            write_files(stage, files, output=config.output)
            format_tree(stage)
            return sdk, tree_files(stage), None
        # Incremental: a file whose rendered text was formatted before is taken as it came out. ruff
        # formats Python and the Python in Markdown; JSON is written as rendered.
        keys = {path: cache.key("formatted", path, text) for path, text in files.items() if not path.endswith(".json")}
        pending: list[str] = []
        for path, key in keys.items():
            formatted = cache.get(key)
            if formatted is None:
                pending.append(path)
            else:
                files[path] = formatted
        write_files(stage, files, output=config.output)
        del files  # read back formatted below
        format_tree(stage, pending if len(pending) <= _MAX_LISTED else None)
        owned = tree_files(stage)
    for path in pending:
        cache.put(keys[path], owned[path])
    models = [path for path in keys if "/models/" in path and not path.endswith("/__init__.py")]
    work = Work(len(keys), len(pending), len(models), len(set(models) & set(pending)))
    return sdk, owned, work


def _previous_surface(output: Path, package: str) -> Surface | None:
    """The surface the output holds now, if it is one sdkgen wrote (a damaged one counts as none)."""
    try:
        data = json.loads((output / package / SURFACE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _surface_report(old: Surface | None, owned: dict[str, bytes], sdk: Sdk, label: str) -> Report | None:
    if old is None:
        return None
    new = json.loads(owned[f"{sdk.package}/{SURFACE_FILE}"])
    # The spec unchanged (the everyday regeneration): nothing to compare, one C-level equality
    # instead of the walk (0.1 s of the flagship's 1.2 s of CPU).
    changes = () if new == old else tuple(diff_surfaces(old, new))
    return Report(label, "regenerated", str(old.get("version", "")), changes)


def generate(config: Config, templates: Path = DEFAULT_TEMPLATES) -> Result:
    """Generate the SDK into `config.output`; on any error the output is left untouched."""
    diagnostics = Diagnostics()
    config.output.parent.mkdir(parents=True, exist_ok=True)
    with locked(config.output):
        remove_stale_stages(config.output)
        with staging(config.output) as stage:
            sdk, owned, work = _render_into(stage, config, templates, diagnostics)
            previous = _previous_surface(config.output, sdk.package)
            with progress_stage(f"writing {config.output.name}/"):
                generator = f"sdkgen {sdk.generator_version}"
                changes = commit(stage, config.output, owned, generator)
    report = _surface_report(previous, owned, sdk, "previous output")
    return Result(sdk, diagnostics, changes, report, work, manifest_text(owned, generator))


def check(config: Config, templates: Path = DEFAULT_TEMPLATES) -> tuple[Result, str]:
    """Generate into a scratch directory and return a unified diff against `config.output`."""
    diagnostics = Diagnostics()
    config.output.parent.mkdir(parents=True, exist_ok=True)
    with staging(config.output) as stage:
        sdk, owned, work = _render_into(stage, config, templates, diagnostics, semantic=True)
    current = tree_files(config.output) if config.output.is_dir() else {}
    previously_owned = read_manifest(config.output) if config.output.is_dir() else {}
    diff: list[str] = []
    for path in sorted(set(owned) | set(previously_owned)):
        if path == MANIFEST:
            continue
        old = current.get(path)
        new = owned.get(path)
        if old == new:
            continue
        old_lines = old.decode("utf-8", "replace").splitlines(keepends=True) if old is not None else []
        new_lines = new.decode("utf-8", "replace").splitlines(keepends=True) if new is not None else []
        label = f"{config.output.name}/{path}"
        diff.extend(
            difflib.unified_diff(
                old_lines, new_lines, f"a/{label}" if old is not None else "/dev/null", f"b/{label}" if new is not None else "/dev/null"
            )
        )
    changes = Changes(
        added=tuple(p for p in sorted(owned) if p not in current),
        changed=tuple(p for p in sorted(owned) if p in current and current[p] != owned[p]),
        removed=tuple(p for p in sorted(previously_owned) if p not in owned),
    )
    return Result(sdk, diagnostics, changes, work=work), "".join(line if line.endswith("\n") else line + "\n" for line in diff)
