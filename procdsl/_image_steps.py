"""The fluent image methods, one line per image action.

``resize = step(Resize)`` gives ``ImagePipeline.resize`` exactly the signature
of ``Resize``: the operation class stays the only definition of its parameters.
The same methods on the ``Image`` namespace start a new pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Optional, overload

from ._compat import ParamSpec
from ._introspect import operation_doc, operation_signature
from ._operations import image
from ._operations.image import ImageOperation

if TYPE_CHECKING:
    import inspect

    from ._stages import ImagePipeline

P = ParamSpec("P")


class step(Generic[P]):
    """A method that builds one image operation and appends it to the pipeline.

    On the class (``ImagePipeline.rotate``) it is the unbound method: its signature starts
    with ``self``. On a pipeline or on ``Image`` it is a bound ``_BoundStep``. Signatures
    and help come from the operation class, computed on first use.
    """

    __slots__ = ("__name__", "__qualname__", "op")

    def __init__(self, op: Callable[P, ImageOperation]) -> None:
        self.op = op
        self.__name__ = self.__qualname__ = getattr(op, "action", "step")

    def __set_name__(self, owner: type, name: str) -> None:
        self.__name__ = name
        self.__qualname__ = f"{owner.__name__}.{name}"

    @overload
    def __get__(self, obj: None, owner: Any = None) -> step[P]: ...
    @overload
    def __get__(self, obj: ImageSteps, owner: Any = None) -> Callable[P, ImagePipeline]: ...
    def __get__(self, obj: Optional[ImageSteps], owner: Any = None) -> step[P] | Callable[P, ImagePipeline]:
        if obj is None:
            return self
        return _BoundStep(self, obj._then)

    def __call__(self, pipeline: ImageSteps, /, *args: P.args, **kwargs: P.kwargs) -> ImagePipeline:
        return pipeline._then(self.op(*args, **kwargs))

    @property
    def __signature__(self) -> inspect.Signature:
        return _signature(self.op, unbound=True)

    @property
    def __doc__(self) -> str:  # type: ignore[override]  # pyright: ignore[reportIncompatibleVariableOverride]
        return _doc(self.op)

    def __repr__(self) -> str:
        return f"<procdsl image step {self.__qualname__}>"


class _BoundStep(Generic[P]):
    """``pipeline.rotate``: builds the operation and hands it to the pipeline (or to ``Image``)."""

    __slots__ = ("step", "then")

    def __init__(self, step: step[P], then: Callable[[ImageOperation], ImagePipeline]) -> None:
        self.step = step
        self.then = then

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ImagePipeline:
        return self.then(self.step.op(*args, **kwargs))

    def __get__(self, obj: object, owner: Any = None) -> _BoundStep[P]:
        return self  # a function to pydoc, so help() shows the signature

    @property
    def __name__(self) -> str:
        return self.step.__name__

    @property
    def __signature__(self) -> inspect.Signature:
        return _signature(self.step.op, unbound=False)

    @property
    def __doc__(self) -> str:  # type: ignore[override]  # pyright: ignore[reportIncompatibleVariableOverride]
        return _doc(self.step.op)

    def __repr__(self) -> str:
        return f"<procdsl image step {self.step.__qualname__} bound to {getattr(self.then, '__self__', None)!r}>"


_SIGNATURES: dict[tuple[Any, bool], Any] = {}
_DOCS: dict[Any, str] = {}


def _signature(op: Any, *, unbound: bool) -> inspect.Signature:
    signature = _SIGNATURES.get((op, unbound))
    if signature is None:
        returns = ImageSteps.pipeline_type
        signature = _SIGNATURES[op, unbound] = operation_signature(op, returns=returns, self_parameter=unbound)
    return signature


def _doc(op: Any) -> str:
    doc = _DOCS.get(op)
    if doc is None:
        doc = _DOCS[op] = operation_doc(op)
    return doc


class ImageSteps:
    """Every synchronous image action as a chainable method."""

    __slots__ = ()
    #: What the steps return, for their run-time signatures: ``ImagePipeline``, which derives
    #: from this class, so ``procdsl._stages`` sets it once the class exists.
    pipeline_type: ClassVar[Any] = None

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
