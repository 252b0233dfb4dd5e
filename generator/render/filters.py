"""Jinja filters that turn spec text into safe Python and Markdown: spec text is data, never code."""

from __future__ import annotations

import json
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pystr(value: object) -> str:
    """A Python string literal (repr escapes quotes, backslashes, controls and NULs)."""
    return repr(str(value))


def tomlstr(value: object) -> str:
    """A TOML basic string (JSON string escaping is valid TOML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _escape_doc(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    # A quote at the very end would join the closing `"""` (a space would not survive `rstrip`);
    # escape it unless it already is (every backslash of the text is doubled by now).
    backslashes = len(text[:-1]) - len(text[:-1].rstrip("\\"))
    return text[:-1] + '\\"' if text.endswith('"') and backslashes % 2 == 0 else text


def docstring(value: object, indent: int = 4) -> str:
    """Multi-line text for the inside of a docstring, indented to `indent` after the first line."""
    lines = [line.rstrip() for line in _escape_doc(str(value).strip()).split("\n")]
    pad = " " * indent
    return "\n".join([lines[0], *((pad + line) if line else "" for line in lines[1:])])


def docline(value: object) -> str:
    """One line of docstring text (whitespace folded)."""
    return _escape_doc(" ".join(str(value).split()).rstrip("."))


def mdcell(value: object) -> str:
    """Text for one Markdown table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


FILTERS = {"pystr": pystr, "tomlstr": tomlstr, "docstring": docstring, "docline": docline, "mdcell": mdcell}
