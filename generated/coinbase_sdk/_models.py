# Copied by sdkgen from templates/runtime/_models.py. Do not edit here.
"""The bases of every generated model and enum, and the SDK's number types."""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Annotated, Any, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ["DecimalString", "JsonNumber", "SDKEnum", "SDKIntEnum", "SDKModel"]


class SDKModel(BaseModel):
    """A response or request object.

    Fields the spec does not describe are kept (`model_extra`, and as attributes), so a server
    that adds a field never breaks parsing and the value is not lost. A field the server sent as
    `null` and a field it left out both read as None; `model_fields_set` tells them apart.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())


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
        member._name_ = str(value)  # never a member name: those are identifiers
        member._value_ = value
        return cls._value2member_map_.setdefault(value, member)

    @property
    def is_known(self) -> bool:
        """Whether the spec lists this value."""
        return self._name_ in type(self).__members__


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


DecimalString: TypeAlias = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
"""A decimal sent as a JSON string (money, prices, sizes): exact, and "" (Coinbase's "not set") reads as None."""

JsonNumber: TypeAlias = float | Decimal
"""A JSON number: a float, or an exact `Decimal` when the client reads numbers with `exact_numbers=True`."""
