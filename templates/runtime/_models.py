"""The bases of every generated model and enum, and the SDK's number types."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, InstanceOf

__all__ = [
    "DecimalString",
    "ExactInteger",
    "JsonNumber",
    "Mismatch",
    "SDKEnum",
    "SDKIntEnum",
    "SDKModel",
    "SDKValueEnum",
]


class SDKModel(BaseModel):
    """A response or request object.

    Fields the spec does not describe are kept (`model_extra`, and as attributes), so a server
    that adds a field never breaks parsing and the value is not lost. A field the server sent as
    `null` and a field it left out both read as None; `model_fields_set` tells them apart.

    A response that does not match the spec (a required field missing, a value of another type)
    is still returned, leniently (unless the client or call asked for strict validation): see
    `model_mismatches()`.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def model_mismatches(self) -> tuple[Mismatch, ...]:
        """Where the response this model was read from did not match the spec (empty when it did).

        Paths are relative to this model (`("fills", 0, "price")`); a missing required field
        reads as None, a value of another type is kept as received.
        """
        private = self.__pydantic_private__
        return private.get("_sdk_mismatches", ()) if private else ()


class SDKEnum(StrEnum):
    """A string enum that accepts values the spec does not list yet.

    An unknown value becomes a member of its own (`is_known` is False) instead of failing the
    whole response, so a server that adds an order status never breaks a client in production.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        # Remembered, so the same unknown value is the same object every time.
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


class SDKIntEnum(IntEnum):
    """An integer enum that accepts values the spec does not list yet (see `SDKEnum`)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"VALUE_{value}".replace("-", "MINUS_")
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


class SDKValueEnum(Enum):
    """An enum of numbers or mixed JSON scalars that accepts values the spec does not list yet."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return None
        member = object.__new__(cls)
        member._name_ = f"VALUE_{value}"
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


class ExactInteger(int):
    """A whole JSON number read with `exact_numbers`: an `int` everywhere, but a `JsonNumber` field
    reads it as `Decimal` (`64251` is as exact a price as `64251.5`), not as float."""

    __slots__ = ()


def _blank_is_none(_: str) -> None:
    return None


if TYPE_CHECKING:
    DecimalString: TypeAlias = Decimal | None
else:
    # Tried in order, all in pydantic-core: a decimal or null never calls Python; only "" reaches
    # `_blank_is_none`. (A Python validator on every value cost a fifth of parsing a balances response.)
    DecimalString = Annotated[
        Decimal | None | Annotated[Literal[""], AfterValidator(_blank_is_none)],
        Field(union_mode="left_to_right"),
    ]
"""A decimal sent as a JSON string (money, prices, sizes): exact, and "" (how some APIs say "not set") reads as None."""

if TYPE_CHECKING:
    JsonNumber: TypeAlias = float | Decimal
else:
    # A whole number read with `exact_numbers` (`ExactInteger`) becomes a Decimal; anything else as
    # before (float, or the Decimal `exact_numbers` made of a fraction). All in pydantic-core.
    JsonNumber = Annotated[
        Annotated[InstanceOf[ExactInteger], AfterValidator(Decimal)]
        | Annotated[float | Decimal, Field(union_mode="smart")],
        Field(union_mode="left_to_right"),
    ]
"""A JSON number: a float, or an exact `Decimal` when the client reads numbers with `exact_numbers=True`."""


class Mismatch:
    """One place where a response did not match the spec: `path` inside the model, `problem`, `value` as received."""

    __slots__ = ("path", "problem", "value")

    def __init__(self, path: tuple[str | int, ...], problem: str, value: Any) -> None:
        self.path = path
        self.problem = problem  # "missing", "null", or pydantic's message ("Input should be a valid integer")
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mismatch) and (self.path, self.problem) == (other.path, other.problem)

    def __hash__(self) -> int:
        return hash((self.path, self.problem))

    def __repr__(self) -> str:
        return f"Mismatch({'.'.join(map(str, self.path)) or '<root>'}: {self.problem}, value={self.value!r})"
