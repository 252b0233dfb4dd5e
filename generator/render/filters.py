"""Jinja filters that turn spec text into safe Python and Markdown: spec text is data, never code.

Spec text never reaches a generated file with a raw control, bidi or invisible character
("Trojan Source": U+202E and its kin reorder what a reviewer sees in a diff; zero-width and tag
characters hide text). Each filter escapes them as `\\uXXXX` (`\\UXXXXXXXX` past the BMP), which
reads the same in a Python string or docstring, a TOML basic string, a comment or Markdown; the
Jinja environment's `finalize` applies `visible` to every other `{{ }}` value, and
`escape_invisible_in_file` is the last guard over every generated file (the models engine writes
docstrings of its own).
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Callable

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Every character that must not appear raw in generated text, as an explicit list (not Unicode
# categories, which move between Python versions: output must be byte-identical anywhere). Tab and
# newline are text. C0 and C1 controls, DEL, the soft hyphen, the Arabic letter mark, the Mongolian
# vowel separator, zero-width space/non-joiner/joiner, LRM/RLM, line and paragraph separators,
# the bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069), word joiner and
# invisible operators, deprecated format characters, the BOM / zero-width no-break space,
# interlinear annotations, tag characters (U+E0000-U+E007F), and lone surrogates.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character past the BMP as its UTF-16 pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def visible(value: object) -> object:
    """`value` with every invisible character escaped (other values unchanged: Jinja's `finalize`)."""
    return INVISIBLE.sub(_escape, value) if isinstance(value, str) else value


def _visible(text: str) -> str:
    return INVISIBLE.sub(_escape, text)


def pystr(value: object) -> str:
    """A Python string literal (repr escapes quotes, backslashes, controls, NULs and format characters)."""
    return _visible(repr(str(value)))


def tomlstr(value: object) -> str:
    """A TOML basic string (JSON string escaping is valid TOML; so are `\\uXXXX` and `\\UXXXXXXXX`)."""
    return _visible(json.dumps(str(value), ensure_ascii=False))


def _escape_doc(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    text = _visible(text)
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
    return _visible(" ".join(str(value).split()).replace("|", "\\|"))


FILTERS = {"pystr": pystr, "tomlstr": tomlstr, "docstring": docstring, "docline": docline, "mdcell": mdcell}


# -- the last guard, over whole files ---------------------------------------------------------


def _python_source(source: str) -> str:
    """Escape invisible characters inside the string literals and comments of a Python module.

    In a normal string or a comment the `\\uXXXX` spelling keeps the value; a raw string holding
    one is rewritten as a normal literal of the same value. Anywhere else such a character would
    not be valid Python, so if the module does not tokenize every one is escaped as it stands.
    """
    lines = source.split("\n")  # rows as tokenize counts them
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    edits: list[tuple[int, int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in (tokenize.STRING, tokenize.COMMENT) or not INVISIBLE.search(token.string):
                continue
            start = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            prefix = token.string[: len(token.string) - len(token.string.lstrip("rRbBuUfF"))].lower()
            if token.type == tokenize.STRING and "r" in prefix:
                replacement = _visible(repr(ast.literal_eval(token.string)))
            else:
                replacement = _visible(token.string)
            edits.append((start, end, replacement))
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        return _visible(source)
    for start, end, replacement in reversed(edits):
        source = source[:start] + replacement + source[end:]
    return _visible(source)  # anything left is outside a literal: escaped all the same


_BY_SUFFIX: dict[str, Callable[[str], str]] = {
    ".py": _python_source,
    ".json": lambda text: INVISIBLE.sub(_json_escape, text),  # only ever inside strings: JSON's structure is ASCII
}


# The ASCII characters `INVISIBLE` leaves alone. A file of ASCII without any other is returned as
# it is, without decoding tens of MB of text to find nothing (two C passes over the bytes instead;
# `tests/test_json_text.py` checks this set against `INVISIBLE`).
VISIBLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"


def escape_invisible_in_file(path: str, data: bytes) -> bytes:
    """`data` of the generated file `path` with every invisible character escaped for its format."""
    if data.isascii() and not data.translate(None, VISIBLE_ASCII):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # not text
    if not INVISIBLE.search(text):
        return data
    suffix = path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""
    return _BY_SUFFIX.get(suffix, _visible)(text).encode("utf-8")
