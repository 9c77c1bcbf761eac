"""The operation catalogue, one module per family; importing it registers every operation."""

from . import doc, image, sys

__all__ = ["doc", "image", "sys"]
