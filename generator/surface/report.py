"""Render a surface diff: Markdown for review, JSON for tools, a few lines for `make regenerate`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .diff import Category, Change, proposed_level
from .semver import bump

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
        lines += [f"- `{c.subject}`: {c.message}" for c in items]
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
        "changes": [
            {
                "api": c.api,
                "kind": c.kind,
                "subject": c.subject,
                "message": c.message,
                "breaking": c.breaking,
                "category": c.category,
                "level": c.level,
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
