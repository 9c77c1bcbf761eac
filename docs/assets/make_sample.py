"""Draw docs/assets/sample.jpg, the one picture the render examples and the reference start from.

Run ``python docs/assets/make_sample.py`` (needs Pillow) to redraw it; the file is committed so
the docs build does not depend on drawing code staying byte-stable across Pillow versions.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 400, 300


def draw() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    pixels = ImageDraw.Draw(image)
    for y in range(HEIGHT):  # sky: blue at the top to pale at the horizon
        t = y / HEIGHT
        pixels.line([(0, y), (WIDTH, y)], fill=(int(70 + 150 * t), int(130 + 90 * t), int(220 - 20 * t)))
    pixels.ellipse((285, 35, 355, 105), fill=(255, 205, 60))  # sun
    pixels.polygon([(0, 300), (0, 190), (110, 120), (230, 200), (230, 300)], fill=(60, 120, 70))  # hills
    pixels.polygon([(140, 300), (260, 170), (400, 230), (400, 300)], fill=(40, 95, 60))
    pixels.rectangle((40, 215, 110, 265), fill=(190, 70, 50))  # a red house
    pixels.polygon([(32, 215), (75, 180), (118, 215)], fill=(120, 40, 30))
    pixels.rectangle((65, 235, 85, 265), fill=(250, 230, 180))
    # A grid of marks along the edges, so crops and rotations are easy to read.
    for x in range(0, WIDTH, 50):
        pixels.line([(x, 0), (x, 8)], fill=(255, 255, 255), width=2)
    for y in range(0, HEIGHT, 50):
        pixels.line([(0, y), (8, y)], fill=(255, 255, 255), width=2)
    pixels.text((14, 12), "N", fill=(255, 255, 255))
    return image


if __name__ == "__main__":
    target = Path(__file__).with_name("sample.jpg")
    draw().save(target, "JPEG", quality=85)
    print(f"{target}: {target.stat().st_size} bytes")
