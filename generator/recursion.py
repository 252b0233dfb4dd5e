"""Python's recursion limit, raised for the stages that walk deeply nested documents."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

# Documents may nest up to `MAX_DEPTH` levels (generator/load/documents.py), and the validators and
# the type mapper recurse a few dozen frames per level. The schema walk (build/schemas.py) defines a
# `$ref`'s target before the schema referring to it is done: four frames per link of a chain of
# schemas, each referring to the next, however long the spec makes it (12,800 links at 64k
# operations of `bench/scale.py --chain`; 3,200 links passed the old limit of 12,000). Calls
# between Python functions take no C stack on CPython 3.11+, so the limit only has to exceed the frames.
RECURSION_LIMIT = 100_000


@contextlib.contextmanager
def deep_recursion() -> Iterator[None]:
    """Raise the recursion limit to `RECURSION_LIMIT` for the block (never lower it)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
