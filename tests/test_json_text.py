"""`api.json`'s writer gives exactly the text of `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.surface.json_text import dumps_indented

ROOT = Path(__file__).resolve().parent.parent


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
_keys = st.text() | st.integers() | st.booleans() | st.floats(allow_nan=False) | st.none()
_trees = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_trees)
def test_any_json_tree_is_written_as_json_dumps_writes_it(value: Any) -> None:
    assert dumps_indented(value) == reference(value)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_keys, _scalars, max_size=1))
def test_non_string_keys_are_written_as_json_dumps_writes_them(value: dict[Any, Any]) -> None:
    assert dumps_indented(value) == reference(value)


def test_the_committed_api_json_is_written_byte_for_byte() -> None:
    text = (ROOT / "generated" / "coinbase_sdk" / "api.json").read_text(encoding="utf-8")
    assert dumps_indented(json.loads(text)) + "\n" == text


class _Number(int, enum.Enum):
    ONE = 1


@pytest.mark.parametrize(
    "value",
    [
        {"lone surrogate \ud800": "\udfff", "line separator": "\u2028", "control": "\x00\x1f", "quote": '"\\'},
        [math.nan, math.inf, -math.inf, -0.0, 1e300],
        {"nested": {"empty": {}, "list": [], "tuple": ()}},
        {"enum": _Number.ONE},
    ],
)
def test_corner_values_match_json_dumps(value: Any) -> None:
    assert dumps_indented(value) == reference(value)


def test_values_json_cannot_write_fail_as_json_dumps_fails() -> None:
    for value in ({"object": object()}, {(1, 2): "tuple key"}, {1: "a", "b": 2}):
        with pytest.raises(TypeError):
            reference(value)
        with pytest.raises(TypeError):
            dumps_indented(value)


def test_the_ascii_shortcut_of_invisible_characters_agrees_with_the_pattern() -> None:
    # `escape_invisible_in_file` returns an ASCII file unchanged when it holds only `VISIBLE_ASCII`:
    # exactly the ASCII characters `INVISIBLE` does not escape.
    from generator.render.filters import INVISIBLE, VISIBLE_ASCII

    assert {code for code in range(128) if not INVISIBLE.match(chr(code))} == set(VISIBLE_ASCII)
