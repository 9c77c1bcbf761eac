"""Point-cloud compression (``pointcloud/compress``), backed by IMM; synchronous only.

Page: https://help.aliyun.com/en/oss/user-guide/point-cloud-compression (zh edition with the
full tables). Main part: ``f`` (pcd only), ``m`` (kdtree or octree, required), ``fs`` (the
PCD fields to compress, URL-safe base64: only ``xyz``). The method's own parameters follow
in a ``/octree,…`` or ``/kdtree,…`` section: the page's example is
``pointcloud/compress,m_octree,fs_eHl6/octree,or_0.001,pr_0.001,d_1,lib_pcl``.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Optional, Tuple

from .._codecs import B64Text, Choice, Flag, Float, Int
from .._declare import Operation, Section, param, section
from .._inert import Inert, unless

__all__ = ["Compress", "Kdtree", "Octree"]

_URL = "https://help.aliyun.com/en/oss/user-guide/point-cloud-compression"
Method = Literal["kdtree", "octree"]


class Octree(Section):
    """``/octree``: PCL octree compression settings."""

    action: ClassVar[str] = "octree"

    lib: Optional[Literal["pcl"]] = param("lib", Choice(Literal["pcl"]), default=None, doc="Library (pcl only).")
    point_resolution: Optional[float] = param(
        "pr", Float(0, 1), default=None, server_default="0.01", doc="How precisely coordinates are encoded."
    )
    octree_resolution: Optional[float] = param(
        "or", Float(0, 1), default=None, server_default="0.01", doc="Smallest octree block (voxel side)."
    )
    downsample: Optional[bool] = param("d", Flag(), default=None, server_default="1", doc="Downsample first.")


class Kdtree(Section):
    """``/kdtree``: Draco k-d tree compression settings."""

    action: ClassVar[str] = "kdtree"

    lib: Optional[Literal["draco"]] = param("lib", Choice(Literal["draco"]), default=None, doc="Library (draco only).")
    level: int = param("cl", Int(0, 10), doc="Compression level; higher keeps more detail.")
    quantization_bits: int = param("qb", Int(1, 31), doc="Quantisation bits; more keeps more detail.")


class Compress(Operation):
    """Compress a PCD point cloud by octree (PCL) or k-d tree (Draco); synchronous."""

    family: ClassVar[str] = "pointcloud"
    action: ClassVar[str] = "compress"
    doc_url: ClassVar[str] = _URL
    inert: ClassVar[Tuple[Inert, ...]] = (
        unless("octree", "method", "octree", when="m is octree"),
        unless("kdtree", "method", "kdtree", when="m is kdtree"),
    )

    format: Optional[Literal["pcd"]] = param("f", Choice(Literal["pcd"]), default=None, doc="Input format (pcd).")
    method: Method = param("m", Choice(Method), doc="Compression method.")
    fields: Optional[str] = param(
        "fs",
        B64Text(pattern="xyz", what="the PCD fields to compress, in order (only xyz)"),
        default=None,
        doc="Fields to compress, in order; sent as URL-safe base64 (only 'xyz').",
    )
    octree: Optional[Octree] = section(Octree, default=None, doc="Octree settings.")
    kdtree: Optional[Kdtree] = section(Kdtree, default=None, doc="K-d tree settings.")
