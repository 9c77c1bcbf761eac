"""The operation catalogue, one module per family; importing it registers every operation."""

from . import doc, sys

__all__ = ["doc", "sys"]
