# SPDX-License-Identifier: Apache-2.0
"""The printed side of a simulated card: the QR code and front/back card images.

QR (docs/CCCD.md "The printed QR code"): UTF-8 text in byte mode with NO ECI designator —
``segno.make_qr(text, encoding="utf-8", mode="byte")`` with segno's default ``eci=False`` —
and always a full QR symbol (``make_qr``, never a Micro QR, which zbar cannot read).
Card layout after Circular 06/2021/TT-BCA (CCCD: QR on the front) and Circular
16/2024/TT-BCA (Căn cước: QR on the back); both carry the TD1 MRZ on the back. Text uses
DejaVuSans (Debian fonts-dejavu-core), which has the Vietnamese glyphs; without it Pillow's
default font is used.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from cardkit.sim.image import CardImage

CARD_SIZE = (1012, 638)  # ISO/IEC 7810 ID-1 at 300 dpi
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_INK, _RED, _BG = (30, 30, 60), (170, 20, 20), (236, 242, 236)


def make_qr(text: str) -> segno.QRCode:
    return segno.make_qr(text, encoding="utf-8", mode="byte", eci=False)


def qr_png(text: str, *, scale: int = 6, border: int = 4) -> bytes:
    buf = io.BytesIO()
    make_qr(text).save(buf, kind="png", scale=scale, border=border)
    return buf.getvalue()


@lru_cache(maxsize=16)
def font(size: int, bold: bool = False, mono: bool = False):
    name = "DejaVuSansMono" if mono else ("DejaVuSans-Bold" if bold else "DejaVuSans")
    for folder in FONT_DIRS:
        path = folder / f"{name}.ttf"
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def has_vietnamese_font() -> bool:
    return any((d / "DejaVuSans.ttf").is_file() for d in FONT_DIRS)


def _wrap(draw: ImageDraw.ImageDraw, text: str, fnt, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=fnt) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return lines + ([line] if line else [])


class _Card:
    def __init__(self) -> None:
        self.img = Image.new("RGB", CARD_SIZE, _BG)
        self.d = ImageDraw.Draw(self.img)
        self.d.rounded_rectangle([4, 4, CARD_SIZE[0] - 5, CARD_SIZE[1] - 5], 36, outline=(150, 170, 150), width=3)

    def header(self, title: str, subtitle: str) -> None:
        self.center("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 22, font(24, True), _INK)
        self.center("Độc lập - Tự do - Hạnh phúc", 52, font(22), _INK)
        self.center(title, 86, font(34, True), _RED)
        self.center(subtitle, 126, font(22), _INK)

    def center(self, text: str, y: int, fnt, fill) -> None:
        x = 300 + (CARD_SIZE[0] - 300 - self.d.textlength(text, font=fnt)) / 2
        self.d.text((x, y), text, font=fnt, fill=fill)

    def field(self, x: int, y: int, label: str, value: str, width: int = 660, size: int = 23,
              max_lines: int = 3) -> int:
        """Label then value (bold), wrapped; returns the next y."""
        self.d.text((x, y), label, font=font(size - 4), fill=_INK)
        y += size
        for line in _wrap(self.d, value or "", font(size, True), width)[:max_lines]:
            self.d.text((x, y), line, font=font(size, True), fill=(0, 0, 0))
            y += size + 6
        return y + 4

    def paste(self, im: Image.Image, box: tuple[int, int, int, int]) -> None:
        im = im.convert("RGB").resize((box[2] - box[0], box[3] - box[1]))
        self.img.paste(im, box[:2])

    def mrz(self, lines: list[str]) -> None:
        self.d.rectangle([0, 470, CARD_SIZE[0], CARD_SIZE[1]], fill=(250, 250, 250))
        for i, line in enumerate(lines):
            self.d.text((48, 484 + i * 48), line, font=font(38, mono=True), fill=(0, 0, 0))

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.img.save(buf, "PNG", optimize=True)
        return buf.getvalue()


def _dmy(iso: str | None) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if iso else ""


def _face(image: CardImage) -> Image.Image | None:
    from cardkit.errors import ParseError
    from cardkit.icao.lds.dg2 import decode_image, parse_dg2

    data = image.app_files.get(0x0102)
    try:
        face = parse_dg2(data).face if data else None
        return decode_image(face) if face else None
    except ParseError:
        return None


def front_png(image: CardImage) -> bytes:
    p, m = image.meta["person"], image.meta
    c = _Card()
    new = m.get("profile") == "cancuoc2024"
    c.header("CĂN CƯỚC" if new else "CĂN CƯỚC CÔNG DÂN", "IDENTITY CARD" if new else "Citizen Identity Card")
    face = _face(image)
    if face is not None:
        c.paste(face, (40, 170, 280, 490))
    if not new:
        c.paste(Image.open(io.BytesIO(qr_png(m["qr"], scale=3, border=2))), (40, 24, 170, 154))
    x, y = 310, 170
    y = c.field(x, y, "Số định danh cá nhân / Personal identification number" if new else "Số / No.", p["id_number"], size=26)
    y = c.field(x, y, "Họ, chữ đệm và tên khai sinh / Full name" if new else "Họ và tên / Full name", p["full_name"])
    sex = "Nam" if p.get("sex") == "M" else "Nữ"
    y = c.field(x, y, "Ngày sinh / Date of birth", f"{_dmy(p.get('date_of_birth'))}     Giới tính / Sex: {sex}")
    y = c.field(x, y, "Quốc tịch / Nationality", p.get("nationality") or "")
    if not new:
        y = c.field(x, y, "Quê quán / Place of origin", p.get("place_of_origin") or "")
        y = c.field(x, y, "Nơi thường trú / Place of residence", p.get("residence") or "")
        c.d.text((40, 560), "Có giá trị đến / Date of expiry: " + (_dmy(m.get("expiry")) or m.get("expiry_text") or ""),
                 font=font(18), fill=_INK)
    return c.png()


def back_png(image: CardImage) -> bytes:
    p, m = image.meta["person"], image.meta
    c = _Card()
    new = m.get("profile") == "cancuoc2024"
    if new:
        c.paste(Image.open(io.BytesIO(qr_png(m["qr"], scale=4, border=2))), (40, 30, 250, 240))
        y = c.field(280, 30, "Nơi cư trú / Place of residence", p.get("residence") or "", width=690, size=21,
                    max_lines=4)
        y = c.field(280, y, "Nơi đăng ký khai sinh / Place of birth", p.get("place_of_origin") or "", width=690)
        y = c.field(280, y, "Ngày, tháng, năm cấp / Date of issue", _dmy(p.get("issue_date")))
        c.field(280, y, "Ngày, tháng, năm hết hạn / Date of expiry",
                _dmy(m.get("expiry")) or m.get("expiry_text") or "")
        c.d.text((40, 420), "BỘ CÔNG AN / MINISTRY OF PUBLIC SECURITY", font=font(20, True), fill=_RED)
    else:
        y = c.field(40, 40, "Đặc điểm nhận dạng / Personal identification", p.get("personal_features") or "", width=560)
        y = c.field(40, y, "Ngày, tháng, năm / Date, month, year", _dmy(p.get("issue_date")))
        c.d.text((40, y + 10), "CỤC TRƯỞNG CỤC CẢNH SÁT", font=font(18, True), fill=_RED)
        c.d.text((40, y + 34), "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", font=font(18, True), fill=_RED)
        for i, label in enumerate(("Ngón trỏ trái", "Ngón trỏ phải")):
            x = 640 + i * 180
            c.d.rounded_rectangle([x, 60, x + 150, 260], 20, outline=_INK, width=2)
            c.d.text((x + 8, 270), label, font=font(16), fill=_INK)
    c.mrz(m["mrz"])
    return c.png()


def write_printed(image: CardImage, folder: str | Path) -> list[Path]:
    """``qr.png``, ``front.png`` and ``back.png`` beside the card files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in (("qr.png", qr_png(image.meta["qr"])), ("front.png", front_png(image)),
                       ("back.png", back_png(image))):
        (folder / name).write_bytes(data)
        out.append(folder / name)
    return out
