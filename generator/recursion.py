"""Python's recursion limit, raised for the stages that walk deeply nested documents."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

# Documents may nest up to `MAX_DEPTH` levels (generator/load/documents.py); the validators and the
# type mapper recurse a few dozen frames per level, more than Python's default limit of 1000.
RECURSION_LIMIT = 12_000


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the recursion limit to `RECURSION_LIMIT` for the block (never lower it)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
