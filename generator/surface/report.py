"""Render a surface diff: Markdown for review, JSON for tools, a few lines for `make regenerate`."""

from __future__ import annotations

import difflib
import json
import textwrap
from dataclasses import dataclass

from .diff import Category, Change, diff_notes, diff_surfaces, proposed_level
from .extract import Surface
from .semver import bump

DOCS_WIDTH = 88  # documentation text is re-wrapped to this width before it is compared line by line

SECTIONS: tuple[tuple[Category, str], ...] = (
    ("breaking", "Breaking changes"),
    ("added", "Added"),
    ("deprecated", "Deprecated"),
    ("changed", "Changed"),
    ("documentation", "Documentation"),
)


@dataclass(frozen=True)
class Report:
    """A diff with what it was taken between and what it proposes."""

    old_label: str
    new_label: str
    old_version: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()  # about the comparison itself (an older api.json format on one side...)

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def level(self) -> str:
        return proposed_level(self.changes)

    @property
    def next_version(self) -> str:
        return bump(self.old_version, self.level) if self.old_version else ""

    def counts(self) -> dict[str, int]:
        return {category: sum(1 for c in self.changes if c.category == category) for category, _ in SECTIONS}


def compare(old_label: str, old: Surface, new_label: str, new: Surface) -> Report:
    """The report of every change from `old` to `new`, proposing a bump from `old`'s version."""
    return Report(old_label, new_label, str(old.get("version", "")), tuple(diff_surfaces(old, new)), tuple(diff_notes(old, new)))


def _wrapped(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.strip().splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        lines.extend(textwrap.wrap(line, DOCS_WIDTH, subsequent_indent=indent, break_on_hyphens=False) or [""])
    return lines


def docs_diff(before: str, after: str, *, context: int = 2) -> list[str]:
    """The documentation change as wrapped `-`/`+`/` ` lines: a unified diff without its headers, `…` between hunks."""
    lines: list[str] = []
    for line in difflib.unified_diff(_wrapped(before), _wrapped(after), n=context, lineterm=""):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines:
                lines.append("…")
            continue
        lines.append(line)
    return lines


def _docs_block(change: Change, indent: str = "  ") -> list[str]:
    """A fenced `diff` block under a list item, when the change carries documentation text."""
    if change.docs_before is None and change.docs_after is None:
        return []
    if change.docs_before is None or change.docs_after is None:
        known = change.docs_after if change.docs_before is None else change.docs_before
        side = "now" if change.docs_before is None else "before"
        body = [f"{indent}{side}:", "", f"{indent}```text", *(f"{indent}{line}" for line in _wrapped(known or "(none)")), f"{indent}```"]
        return ["", *body]
    return [
        "",
        f"{indent}```diff",
        *(f"{indent}{line}".rstrip() for line in docs_diff(change.docs_before, change.docs_after)),
        f"{indent}```",
    ]


def _ordered(changes: tuple[Change, ...], category: Category) -> list[Change]:
    return sorted((c for c in changes if c.category == category), key=lambda c: (c.api, c.subject, c.kind, c.message))


def _bump_line(report: Report) -> str:
    if report.level == "none":
        return "**Proposed bump: none** (the public surface did not change)."
    notes = [f"{report.old_version} → {report.next_version}"] if report.next_version else []
    if report.level == "major" and report.old_version.startswith("0."):
        notes.append("before 1.0 a breaking change bumps the minor version")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    counts = ", ".join(f"{n} {category}" for category, n in report.counts().items() if n)
    return f"**Proposed bump: {report.level}**{suffix}: {counts}."


def to_markdown(report: Report) -> str:
    """A review-ready Markdown report, breaking changes first."""
    lines = [f"# API changes: {report.old_label} → {report.new_label}", "", _bump_line(report)]
    for category, title in SECTIONS:
        items = _ordered(report.changes, category)
        if not items:
            continue
        lines += ["", f"## {title}", ""]
        for change in items:
            block = _docs_block(change)
            lines += [
                f"- `{change.subject}`: {change.message}"
                + ("; documentation changed too" if block and change.category != "documentation" else "")
            ]
            lines += block + ([""] if block else [])
        if lines[-1] == "":
            lines.pop()
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def report_json(report: Report) -> str:
    """The same report for tools: stable keys, one object per change."""
    body = {
        "from": report.old_label,
        "to": report.new_label,
        "breaking": bool(report.breaking),
        "bump": report.level,
        "current_version": report.old_version,
        "next_version": report.next_version,
        "counts": report.counts(),
        "notes": list(report.notes),
        "changes": [
            {
                "api": c.api,
                "kind": c.kind,
                "subject": c.subject,
                "message": c.message,
                "breaking": c.breaking,
                "category": c.category,
                "level": c.level,
                "docs_before": c.docs_before,
                "docs_after": c.docs_after,
            }
            for category, _ in SECTIONS
            for c in _ordered(report.changes, category)
        ],
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def summary_lines(report: Report, *, limit: int = 8) -> list[str]:
    """What `make regenerate` prints: the verdict and the first breaking changes."""
    if not report.changes:
        return ["API surface: unchanged"]
    counts = ", ".join(f"{n} {category}" for category, n in report.counts().items() if n)
    lines = [
        f"API surface: {counts}; proposed bump: {report.level}"
        + (f" ({report.old_version} → {report.next_version})" if report.next_version else "")
    ]
    breaking = _ordered(report.changes, "breaking")
    lines += [f"  BREAKING {c.subject}: {c.message}" for c in breaking[:limit]]
    if len(breaking) > limit:
        lines.append(f"  ... and {len(breaking) - limit} more breaking")
    lines.append("  full report: .venv/bin/sdkgen diff   (or: make diff)")
    return lines


def changelog_entry(report: Report, version: str, date: str) -> str:
    """A CHANGELOG section for a release: the diff since the previous release, by category."""
    counts = ", ".join(f"{n} {category}" for category, n in report.counts().items() if n) or "no change to the public surface"
    lines = [f"## {version} ({date})", "", f"Compared with {report.old_label} by `sdkgen diff`: {counts}."]
    for category, title in SECTIONS:
        items = _ordered(report.changes, category)
        if items:
            lines += ["", f"### {title}", ""]
            lines += [f"- `{c.subject}`: {c.message}" for c in items]
    return "\n".join(lines) + "\n"
