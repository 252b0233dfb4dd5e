"""`info.x-sdkgen-readme`: examples that open an API's part of the generated README.

    info:
      x-sdkgen-readme:
        - title: Place and cancel an order
          text: What the example shows (Markdown).
          code: |            # Python; `{package}` stands for the generated package's name
            ...

The README shows them, in order, at the top of the API's own section; tests run them.
"""

from __future__ import annotations

from typing import Any

from ..errors import SpecError, join_pointer
from ..ir import ReadmeExample
from ..load.documents import SourceDocument
from .operations import text

EXTENSION = "x-sdkgen-readme"


def readme_examples(doc: SourceDocument) -> tuple[ReadmeExample, ...]:
    """The README examples of a document's `info` (none when it has no `x-sdkgen-readme`)."""
    info = doc.data.get("info")
    raw: Any = info.get(EXTENSION) if isinstance(info, dict) else None
    if raw is None:
        return ()
    pointer = f"/info/{EXTENSION}"
    if not isinstance(raw, list):
        raise SpecError(doc.location(pointer), f"`{EXTENSION}` must be a list of examples")
    examples = []
    for index, entry in enumerate(raw):
        site = join_pointer(pointer, index)
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip() for k in ("title", "code")):
            raise SpecError(doc.location(site), "a README example needs `title` and `code` (strings)")
        examples.append(ReadmeExample(title=text(entry["title"]), text=text(entry.get("text")), code=entry["code"].strip("\n")))
    return tuple(examples)
