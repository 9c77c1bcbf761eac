from typing import List

from procdsl import (
    AsyncJob,
    Diagnostic,
    Image,
    ImagePipeline,
    Kdtree,
    Octree,
    PointCloud,
    Style,
    StyleJob,
    SyncJob,
    SyncProcess,
    check,
)

saved: StyleJob = Style("StyleName").save_as("test-bucket", "out.jpg")
as_sync: SyncJob = saved
later: AsyncJob = saved.notify("test-topic")
quiet: AsyncJob = saved.asynchronous()
builtin: Style = Style("::thumb")
faces: ImagePipeline = Image.faces().labels().score()
cloud: SyncProcess = PointCloud.compress(method="octree", fields="xyz", octree=Octree(point_resolution=0.01))
kd: SyncProcess = PointCloud.compress(method="kdtree", kdtree=Kdtree(level=5, quantization_bits=11))
problems: List[Diagnostic] = check("image/resize,w_99999", context="sync", strict=False)
hint: "str | None" = problems[0].hint
