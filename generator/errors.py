"""Problems found in specs, reported with a location a person can open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append tokens to a JSON Pointer."""
    return pointer + "".join("/" + escape_pointer_token(t) for t in tokens)


class Location:
    """Where a problem is: a file, and inside it a JSON Pointer and (when known) a line.

    A location inside a spec is made with `find_line` (`SourceDocument.location`): its line is
    looked up the first time it is read, so the many locations a build makes cost nothing until a
    warning or error is printed. Equal locations hash alike; `line` is read only to compare two
    locations of one file and pointer.
    """

    __slots__ = ("_find_line", "_line", "file", "pointer")

    def __init__(
        self, file: str, pointer: str = "", line: int | None = None, *, find_line: Callable[[str], int | None] | None = None
    ) -> None:
        self.file = file
        self.pointer = pointer
        self._line = line
        self._find_line = find_line if line is None else None

    @property
    def line(self) -> int | None:
        """The 1-based line, when it can be found."""
        if self._find_line is not None:
            self._line, self._find_line = self._find_line(self.pointer), None
        return self._line

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (self.file, self.pointer) == (other.file, other.pointer) and self.line == other.line

    def __hash__(self) -> int:
        return hash((self.file, self.pointer))

    def __repr__(self) -> str:
        return f"Location({self.file!r}, {self.pointer!r}, {self.line!r})"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.pointer}" if self.pointer else where


@dataclass(frozen=True)
class Diagnostic:
    """A warning about a spec: generation goes on."""

    location: Location
    message: str
    kind: str = ""
    # A general finding (a validator's) that a specific warning at the same place says better.
    fallback: bool = False

    def __str__(self) -> str:
        return f"warning: {self.location}: {self.message}"


class SdkgenError(Exception):
    """Base of every error sdkgen reports to its user (never a traceback)."""


class SpecError(SdkgenError):
    """A spec (or overlay, or config) cannot be used: one line, with file, line/pointer and a hint."""

    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        self.location = location
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class OutputError(SdkgenError):
    """The output tree cannot be written safely."""


@dataclass
class Diagnostics:
    """Warnings collected while building; printed once at the end, sorted, similar ones grouped."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, location: Location, message: str, kind: str = "", *, fallback: bool = False) -> None:
        """Record a warning; `kind` names the problem (stable across specs) and groups its repeats.

        A `fallback` warning (a validator's general finding) is dropped when another warning names
        the same file and pointer: one fact is reported once, in its most specific words.
        """
        self.items.append(Diagnostic(location, message, kind or message, fallback))

    def groups(self) -> list[tuple[str, list[Diagnostic]]]:
        """The warnings by kind, each kind's in location order, the kinds in order of their first warning."""
        by_kind: dict[str, list[Diagnostic]] = {}
        for item in self.sorted():
            by_kind.setdefault(item.kind, []).append(item)
        return list(by_kind.items())

    def summary(self, *, limit: int | None = 2) -> list[str]:
        """Lines to print: per kind, its first `limit` warnings and a count of the rest (None: every warning)."""
        lines: list[str] = []
        groups = self.groups()
        for kind, items in groups:
            if limit is None or len(items) <= limit + 1:
                lines.extend(str(item) for item in items)
                continue
            lines.extend(str(item) for item in items[:limit])
            lines.append(f"warning: ... and {len(items) - limit} more of this kind: {kind} (-v lists them all)")
        total = sum(len(items) for _, items in groups)
        if total > len([line for line in lines if not line.startswith("warning: ... and")]):
            lines.append(f"{total} warnings of {len(groups)} kind{'s' if len(groups) != 1 else ''}")
        return lines

    def sorted(self) -> list[Diagnostic]:
        specific = {(d.location.file, d.location.pointer) for d in self.items if not d.fallback}
        kept = {d for d in self.items if not (d.fallback and (d.location.file, d.location.pointer) in specific)}
        return sorted(kept, key=lambda d: (d.location.file, d.location.line or 0, d.location.pointer, d.message))


def relative_display(path: Path, root: Path | None = None) -> str:
    """Show a path relative to the working directory when it is below it."""
    base = root or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
