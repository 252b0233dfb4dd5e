"""File descriptors of the output locks this process holds.

`write.locked` records them; a forked child (background validation, `load/background.py`) closes
its copies, so a generation killed mid-way frees the lock at once, not when the child ends. Kept
apart from both so that the load stage does not import the write stage.
"""

from __future__ import annotations

HELD_LOCK_FDS: set[int] = set()
