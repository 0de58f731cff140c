"""How long making a page image's IIIF level-0 tiles takes, per image size: the time a build spends on an image it
has not tiled before (later builds take the tiles from the build cache, or carry them over).

    .venv/bin/python bench/tiles.py [--sizes 1200x1700,2500x3500,5000x7000] [--repeat 2]

Prints, for each size, the seconds per image (best of --repeat), the number of tiles and their total size. The images
are made here with Pillow: a page-coloured ground with noise, like a scan, saved as JPEG (quality 92)."""

from __future__ import annotations

import argparse
import io
import time

from PIL import Image, ImageDraw, ImageFilter

from tei_edition.web.facsimile import make_tiles


def scan_like(width: int, height: int) -> bytes:
    """A JPEG that compresses about as a page scan does: noise over a warm ground, with dark lines of 'text'."""
    noise = Image.effect_noise((width, height), 40).filter(ImageFilter.GaussianBlur(1))
    ground = Image.new("RGB", (width, height), "#e9dfc8")
    image = Image.composite(ground, Image.new("RGB", (width, height), "#b7a98c"), noise)
    draw = ImageDraw.Draw(image)
    for y in range(height // 10, height - height // 10, max(height // 40, 8)):
        draw.rectangle((width // 10, y, width - width // 10, y + max(height // 120, 2)), fill="#2f2820")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1200x1700,2500x3500,5000x7000")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"{'image':>11} {'source':>9} {'seconds':>8} {'tiles':>6} {'tile bytes':>11}")
    for spec in args.sizes.split(","):
        width, height = (int(n) for n in spec.split("x"))
        data = scan_like(width, height)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            _w, _h, tiles = make_tiles(data)
            best = min(best, time.perf_counter() - start)
        total = sum(len(b) for _p, b in tiles)
        print(f"{spec:>11} {len(data) / 1e6:>7.1f}MB {best:>8.2f} {len(tiles):>6} {total / 1e6:>9.1f}MB")


if __name__ == "__main__":
    main()
