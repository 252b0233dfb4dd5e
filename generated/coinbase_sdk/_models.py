# Copied by sdkgen from templates/runtime/_models.py. Do not edit here.
"""The base of every generated model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["SDKModel"]


class SDKModel(BaseModel):
    """A response or request object.

    Fields the spec does not describe are kept (`model_extra`, and as attributes), so a server
    that adds a field never breaks parsing and the value is not lost.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())
