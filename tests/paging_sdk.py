"""The SDK of tests/fixtures/specs/paging_and_nulls.yaml, generated once per test module, and a server for it.

`NotesServer` serves NOTES in pages: `GET /notes` by cursor (`cursor`, `limit`; `next_cursor`,
`has_more`), `GET /archive` by offset and limit (`data`); `PATCH /notes/{id}` echoes the note.
`fail_once` makes the first request for one cursor or offset answer 500, then serve it normally.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES
from tests.servers.records import RecordedRequest
from tests.servers.scripted import ScriptedServer

SPEC = FIXTURES / "specs" / "paging_and_nulls.yaml"
PACKAGE = "notes_sdk"
NOTES = [{"id": f"n{i}", "title": f"note {i}"} for i in range(8)]
DEFAULT_LIMIT = 3


def generate_sdk(output: Path) -> Iterator[ModuleType]:
    generate(from_arguments(package=PACKAGE, output=output, openapi=[str(SPEC)], openrpc=[], overlays=[], version="0.1.0"))
    sys.path.insert(0, str(output))
    try:
        import notes_sdk

        yield notes_sdk
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class NotesServer(ScriptedServer):
    def __init__(self) -> None:
        super().__init__(self._answer)
        self.fail_once: set[str] = set()

    def _answer(self, record: RecordedRequest) -> tuple[int, Any]:
        query = {k: v[-1] for k, v in record.query.items()}
        limit = int(query.get("limit", DEFAULT_LIMIT))
        if record.path == "/notes":
            start = int(query.get("cursor", "c0")[1:])
            key = query.get("cursor", "c0")
        elif record.path == "/archive":
            start = int(query.get("offset", "0"))
            key = f"offset={start}"
        else:
            return 200, {"id": record.path.rsplit("/", 1)[1], **json.loads(record.body or b"{}")}
        if key in self.fail_once:
            self.fail_once.discard(key)
            return 500, {"message": "page store restarting"}
        page = NOTES[start : start + limit]
        if record.path == "/archive":
            return 200, {"data": page}
        more = start + limit < len(NOTES)
        return 200, {"notes": page, "has_more": more, **({"next_cursor": f"c{start + limit}"} if more else {})}
