# SPDX-License-Identifier: Apache-2.0
"""A generated portrait for simulated cards: a drawn face, not a photo of anyone.

Deterministic from the seed; the JPEG lands in the 10-20 KB range that real eMRTD face
images have (BSI measured 9.7-25.9 KB, docs/CCCD.md "Field realities"). Size and layout follow
the ICAO token-image proportions loosely (ISO/IEC 19794-5 §8.3: portrait, 3:4).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

WIDTH, HEIGHT = 300, 400
_SKIN = [(241, 204, 170), (224, 180, 140), (200, 155, 115), (176, 128, 92), (232, 190, 160)]
_HAIR = [(20, 16, 14), (40, 30, 24), (70, 50, 35), (120, 118, 115), (200, 200, 200)]
_SHIRT = [(245, 245, 245), (40, 60, 120), (60, 60, 60), (150, 40, 40), (230, 230, 240)]


def generate_face(seed: int | None = None, *, sex: str | None = None, age: int | None = None,
                  quality: int = 80) -> bytes:
    """JPEG bytes of a drawn head-and-shoulders portrait on a light background."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (WIDTH, HEIGHT), (226, 236, 246))
    d = ImageDraw.Draw(img)
    for y in range(HEIGHT):  # soft vertical gradient background
        shade = 236 - y // 20
        d.line([(0, y), (WIDTH, y)], fill=(shade - 8, shade, min(255, shade + 10)))
    skin = rnd.choice(_SKIN)
    hair = _HAIR[3 + rnd.randrange(2)] if age and age >= 60 else rnd.choice(_HAIR[:3])
    cx, cy = WIDTH // 2 + rnd.randint(-6, 6), 170 + rnd.randint(-8, 8)
    fw, fh = rnd.randint(70, 84), rnd.randint(96, 108)
    d.polygon([(cx - 130, HEIGHT), (cx - 110, 330), (cx - 40, 300), (cx + 40, 300), (cx + 110, 330),
               (cx + 130, HEIGHT)], fill=rnd.choice(_SHIRT))
    d.rectangle([cx - 24, cy + fh - 20, cx + 24, cy + fh + 40], fill=skin)  # neck
    long_hair = sex == "F" or (sex is None and rnd.random() < 0.5)
    if long_hair:
        d.rounded_rectangle([cx - fw - 14, cy - fh - 12, cx + fw + 14, cy + fh + 50], 60, fill=hair)
    d.ellipse([cx - fw, cy - fh, cx + fw, cy + fh], fill=skin)
    d.chord([cx - fw - 6, cy - fh - 14, cx + fw + 6, cy + 10], 180, 360, fill=hair)
    for side in (-1, 1):  # ears, eyes, brows
        ex = cx + side * fw * 4 // 10
        d.ellipse([cx + side * fw - 10, cy - 10, cx + side * fw + 10, cy + 26], fill=skin)
        d.ellipse([ex - 13, cy - 8, ex + 13, cy + 6], fill=(250, 250, 250))
        d.ellipse([ex - 6, cy - 7, ex + 6, cy + 5], fill=(45, 30, 20))
        d.line([(ex - 16, cy - 20), (ex + 16, cy - 22 - rnd.randint(0, 3))], fill=hair, width=4)
    d.line([(cx, cy + 4), (cx - 6, cy + 36), (cx + 4, cy + 38)], fill=(150, 100, 80), width=2)
    mw = rnd.randint(18, 26)
    d.arc([cx - mw, cy + 40, cx + mw, cy + 64], 20, 160, fill=(150, 60, 60), width=3)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    _grain(img, rnd)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def _grain(img: Image.Image, rnd: random.Random) -> None:
    """Sensor-like noise, so the JPEG is as large as a real portrait rather than a few KB."""
    noise = Image.frombytes("L", img.size, rnd.randbytes(img.size[0] * img.size[1]))
    noise = noise.point(lambda v: 128 + (v - 128) // 14)
    r, g, b = img.split()
    img.paste(Image.merge("RGB", [ImageChops.add(c, noise, 1, -128) for c in (r, g, b)]))
