# sdkgen runtime: copied unchanged into every SDK. Edit templates/runtime/, never a copy.
"""`NOT_GIVEN`: the default of every optional argument, so that `None` can mean JSON `null`.

An argument left at `NOT_GIVEN` is not sent at all; `None` is sent as `null` where the spec allows
null (and refused with a `ValueError` naming the argument where it does not). For the per-call
`timeout=`, `NOT_GIVEN` keeps the client's timeout and `None` turns that call's timeout off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

__all__ = ["NOT_GIVEN", "NotGiven"]


class NotGiven:
    """The type of `NOT_GIVEN` (one instance): "this argument was not passed"."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"  # pickles (and copies) as the same object


NOT_GIVEN: Final = NotGiven()


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `values` that were given (`NOT_GIVEN` ones left out)."""
    return {key: value for key, value in values.items() if value is not NOT_GIVEN}


def refuse_null(values: Mapping[str, Any], not_null: Iterable[str], where: str) -> None:
    """Raise a `ValueError` when a parameter the spec does not let be null was passed `None`."""
    for name in not_null:
        if name in values and values[name] is None:
            raise ValueError(
                f"{where}: parameter {name!r} cannot be null (None); leave it out (NOT_GIVEN, the default) to not send it"
            )
