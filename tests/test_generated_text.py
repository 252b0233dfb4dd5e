"""Spec text reaches generated files with every control, bidi and invisible character escaped
(Trojan Source: code that reads one way in a review and runs another)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from generator.render.filters import INVISIBLE, docline, docstring, mdcell, pystr, tomlstr, visible
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "specs" / "hostile"
# Every character that must never appear raw in a generated file (newline and tab aside).
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("invisible") / "out"
    generate(
        from_arguments(
            package="invisible_pkg",
            output=output,
            openapi=[f"rest={HOSTILE / 'invisible.yaml'}"],
            openrpc=[f"rpc={HOSTILE / 'invisible.openrpc.yaml'}"],
            overlays=[],
            version="0.1.0",
        )
    )
    return output


def test_no_generated_file_holds_a_raw_control_bidi_or_invisible_character(tree: Path) -> None:
    found = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), 1):
            for match in FORBIDDEN.finditer(line):
                found.append(f"{path.relative_to(tree)}:{number}: U+{ord(match.group()):04X} in {line.strip()[:80]!r}")
    assert found == []


def test_the_escaped_text_is_still_there_to_read(tree: Path) -> None:
    """Escaped, not dropped: a reviewer sees where the characters were."""
    readme = (tree / "README.md").read_text(encoding="utf-8")
    assert "Invisible \\u202eeulav\\u202c API" in readme
    group = next((tree / "invisible_pkg" / "rest").glob("*.py"), None)
    sources = "".join(p.read_text(encoding="utf-8") for p in (tree / "invisible_pkg").rglob("*.py"))
    assert group is not None and "\\u202e" in sources


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200b", "\ufeff", "\u2028", "\x85", "\U000e0041", "\x1b", "\r"])
def test_each_filter_escapes_invisible_characters(character: str) -> None:
    text = f"a{character}b"
    for rendered in (pystr(text), docline(text), docstring(text), mdcell(text), tomlstr(text), visible(text)):
        assert character not in rendered, rendered
        assert INVISIBLE.search(rendered) is None


def test_the_last_guard_keeps_the_value_of_every_literal() -> None:
    """Over a whole module: normal and raw strings keep their values, comments are escaped as text."""
    from generator.render.filters import escape_invisible_in_file

    source = 'x = r"a\u202eb"  # c\u200b\ny = """d\u2066"""\nz = "\U000e0041"\n'
    out = escape_invisible_in_file("pkg/m.py", source.encode()).decode()
    assert INVISIBLE.search(out) is None and "# c\\u200b" in out
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    exec(source, before)  # noqa: S102 - our own test text
    exec(out, after)  # noqa: S102
    assert [before[k] for k in "xyz"] == [after[k] for k in "xyz"]
    assert escape_invisible_in_file("pkg/api.json", '{"a": "\U000e0041"}'.encode()) == b'{"a": "\\udb40\\udc41"}'
