"""The operation catalogue, one module per family; importing it registers every operation."""

from . import audio, doc, hls, image, pointcloud, sys, video

__all__ = ["audio", "doc", "hls", "image", "pointcloud", "sys", "video"]
