# SPDX-License-Identifier: Apache-2.0
"""The face photo: terminal graphics (Kitty / Sixel through textual-image) where the terminal
supports them, a half-block rendering elsewhere (two pixels per cell: "▀" with the upper pixel
as foreground and the lower as background), and a text placeholder before DG2 arrives."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


def graphics_supported() -> bool:
    """Whether textual-image found Kitty (TGP) or Sixel support. Call before the app starts:
    textual-image queries the terminal when first imported."""
    try:
        from textual_image.renderable import Image as Auto
        from textual_image.renderable.sixel import Image as Sixel
        from textual_image.renderable.tgp import Image as Tgp
    except Exception:  # noqa: BLE001 - no terminal, or textual-image missing: half blocks
        return False
    return Auto in (Sixel, Tgp)


def decode(data: bytes):
    """The face as an RGB image; a card's image over the face-size limit (a decompression bomb)
    is refused before decoding (:func:`cardkit.icao.lds.dg2.decode_image`)."""
    from cardkit.icao.lds.dg2 import decode_image

    return decode_image(data).convert("RGB")


def halfblock_lines(img, width: int, height: int) -> list[Strip]:
    """``img`` fitted into ``width`` x ``height`` cells (aspect kept, centred)."""
    from PIL import Image

    w, h = img.size
    scale = min(width / w, (2 * height) / h)
    tw, th = max(1, int(w * scale)), max(2, int(h * scale) // 2 * 2)
    small = img.resize((tw, th), Image.Resampling.LANCZOS)
    px = small.load()
    pad_l = (width - tw) // 2
    strips = []
    for row in range(0, th, 2):
        segs = [Segment(" " * pad_l)] if pad_l else []
        for x in range(tw):
            top, bot = px[x, row], px[x, row + 1]
            segs.append(Segment("▀", Style(color=f"rgb({top[0]},{top[1]},{top[2]})",
                                           bgcolor=f"rgb({bot[0]},{bot[1]},{bot[2]})")))
        strips.append(Strip(segs))
    return strips


class HalfBlockPhoto(Widget):
    DEFAULT_CSS = """
    HalfBlockPhoto { width: 100%; height: 100%; }
    """

    def __init__(self, placeholder: str = "", **kw) -> None:
        super().__init__(**kw)
        self.placeholder = placeholder
        self._img = None
        self._cache: tuple[tuple[int, int], list[Strip]] | None = None

    def set_image(self, data: bytes | None) -> None:
        try:
            self._img = decode(data) if data else None
        except Exception:  # noqa: BLE001 - a photo that will not decode is shown as a placeholder
            self._img = None
        self._cache = None
        self.refresh()

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.refresh()

    @property
    def has_image(self) -> bool:
        return self._img is not None

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if self._img is None:
            if y == height // 2:
                text = self.placeholder[:width].center(width)
                return Strip([Segment(text, Style(dim=True))])
            return Strip.blank(width)
        if self._cache is None or self._cache[0] != (width, height):
            self._cache = ((width, height), halfblock_lines(self._img, width, height))
        lines = self._cache[1]
        top = (height - len(lines)) // 2
        i = y - top
        return lines[i] if 0 <= i < len(lines) else Strip.blank(width)
