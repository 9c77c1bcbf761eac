"""The fluent image methods, one line per image action.

``resize = step(Resize)`` gives ``ImagePipeline.resize`` exactly the signature
of ``Resize``: the operation class stays the only definition of its parameters.
The same methods on the ``Image`` namespace start a new pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generic

from ._compat import ParamSpec
from ._operations import image
from ._operations.image import ImageOperation

if TYPE_CHECKING:
    from ._stages import ImagePipeline

P = ParamSpec("P")


class step(Generic[P]):
    """A method that builds one image operation and appends it to the pipeline."""

    def __init__(self, op: Callable[P, ImageOperation]) -> None:
        self.op = op
        self.__doc__ = op.__doc__

    def __get__(self, obj: ImageSteps | None, owner: Any = None) -> Callable[P, ImagePipeline]:
        op = self.op

        if obj is None:
            raise TypeError("call image steps on a pipeline or on procdsl.Image")
        then = obj._then

        def build(*args: P.args, **kwargs: P.kwargs) -> ImagePipeline:
            return then(op(*args, **kwargs))

        return build


class ImageSteps:
    """Every synchronous image action as a chainable method."""

    __slots__ = ()

    def _then(self, op: ImageOperation) -> ImagePipeline:
        raise NotImplementedError

    # The image catalogue (procdsl._operations.image) adds one line per action here.
    resize = step(image.Resize)
    crop = step(image.Crop)
    circle = step(image.Circle)
    indexcrop = step(image.IndexCrop)
    rounded_corners = step(image.RoundedCorners)
    auto_orient = step(image.AutoOrient)
    rotate = step(image.Rotate)
    blur = step(image.Blur)
    bright = step(image.Bright)
    contrast = step(image.Contrast)
    sharpen = step(image.Sharpen)
    interlace = step(image.Interlace)
    quality = step(image.Quality)
    format = step(image.Format)
    watermark = step(image.Watermark)
    info = step(image.Info)
    average_hue = step(image.AverageHue)
    blindwatermark = step(image.Blindwatermark)
    faces = step(image.Faces)
    bodies = step(image.Bodies)
    cars = step(image.Cars)
    codes = step(image.Codes)
    labels = step(image.Labels)
    score = step(image.Score)
