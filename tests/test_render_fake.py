"""FakeOSS answers image pipelines with rendered bytes when Pillow is installed."""

from __future__ import annotations

import io
import json
from typing import Tuple

import httpx
import pytest

pytest.importorskip("PIL")

from PIL import Image as PILImage

from procdsl import Image, WatermarkImage
from procdsl.submit import BadRequestError, Client, Credentials
from procdsl.testing import FakeOSS

CREDS = Credentials("AK", "SK")


def jpeg(size: Tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (10, 200, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def fake() -> FakeOSS:
    fake = FakeOSS(CREDS)
    fake.put_object("bkt", "photo.jpg", jpeg((400, 300)))
    fake.put_object("bkt", "logo.png", jpeg((40, 20)))
    return fake


def opened(data: bytes) -> Tuple[str, Tuple[int, int]]:
    with PILImage.open(io.BytesIO(data)) as image:
        return str(image.format), (int(image.width), int(image.height))


def test_get_returns_the_rendered_image(fake: FakeOSS) -> None:
    with Client("cn-hangzhou", CREDS, "https://oss-cn-hangzhou.aliyuncs.com", transport=fake.transport()) as client:
        got = client.get("bkt", "photo.jpg", Image.resize(width=100, height=100, mode="lfit").format("webp"))
        assert opened(got) == ("WEBP", (100, 75))
        marked = client.get("bkt", "photo.jpg", Image.watermark(image=WatermarkImage("logo.png")).format("png"))
        assert opened(marked) == ("PNG", (400, 300))  # the watermark object is read from the bucket
        info = json.loads(client.get("bkt", "photo.jpg", "image/info"))
        assert info["ImageWidth"] == {"value": "400"}
        with pytest.raises(BadRequestError, match="out of image"):
            client.get("bkt", "photo.jpg", "image/crop,x_500")
    assert fake.objects[("bkt", "photo.jpg")] == jpeg((400, 300))  # the source is untouched


def test_the_content_type_is_the_rendered_format(fake: FakeOSS) -> None:
    with fake.serve() as url, Client("cn-hangzhou", CREDS, url) as client:
        signed = client.sign_url("bkt", "photo.jpg", Image.circle(radius=50).format("png"))
        with httpx.Client() as http:
            answer = http.get(signed)
    assert answer.headers["content-type"] == "image/png"
    assert opened(answer.content) == ("PNG", (100, 100))


def test_process_object_saves_the_rendered_image(fake: FakeOSS) -> None:
    with Client("cn-hangzhou", CREDS, "https://oss-cn-hangzhou.aliyuncs.com", transport=fake.transport()) as client:
        saved = client.process("bkt", "photo.jpg", Image.rotate(90).format("png").save_as("thumbs/p.png"))
    stored = fake.objects[("bkt", "thumbs/p.png")]
    assert opened(stored) == ("PNG", (300, 400))
    assert saved.size == len(stored)


def test_stored_bytes_without_rendering(fake: FakeOSS) -> None:
    fake.put_object("bkt", "placeholder.jpg", b"JPEG-BYTES")  # not an image: answered as stored
    fake.render_images = True
    with Client("cn-hangzhou", CREDS, "https://oss-cn-hangzhou.aliyuncs.com", transport=fake.transport()) as client:
        assert client.get("bkt", "placeholder.jpg", Image.resize(width=10)) == b"JPEG-BYTES"
        # blindwatermark is beyond the renderer: stored bytes, as before rendering existed
        assert client.get("bkt", "photo.jpg", "image/blindwatermark,content_5LqR") == jpeg((400, 300))
        fake.render_images = False
        assert client.get("bkt", "photo.jpg", Image.resize(width=10)) == jpeg((400, 300))
