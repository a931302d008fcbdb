# SPDX-License-Identifier: Apache-2.0
"""QR decoders behind one interface, both returning the exact bytes of the code.

The CCCD QR is UTF-8 without an ECI marker (docs/CCCD.md), so any decoder that guesses a charset
can mangle it: zbar's text mode returns about half of short Vietnamese strings as Shift-JIS or
Big5 mojibake. Both decoders here therefore hand back raw bytes and we decode UTF-8 ourselves:
zxing-cpp through ``Barcode.bytes``, zbar with ZBAR_CFG_BINARY set on the QR symbology (which
pyzbar's ``decode()`` cannot do, so we drive libzbar through pyzbar's ctypes wrapper).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Protocol

from cardkit.extras import Extra, MissingExtraError, require

try:  # the optional extra "qr": without it, one typed line naming it (cardkit.extras)
    import numpy as np
except ImportError as exc:
    raise MissingExtraError.of(Extra.QR, exc) from None

Point = tuple[int, int]


@dataclass(frozen=True)
class Decoded:
    """One QR code found in a frame: its exact bytes, their UTF-8 text (``None`` when the bytes
    are not UTF-8) and the corner points in frame coordinates."""

    raw: bytes
    text: str | None
    position: tuple[Point, ...]
    decoder: str

    @classmethod
    def of(cls, raw: bytes, position: tuple[Point, ...], decoder: str) -> Decoded:
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        return cls(raw, text, position, decoder)


class Decoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        """Decode every QR code in a 2-D uint8 grayscale image."""
        ...


class ZxingDecoder:
    """zxing-cpp: fast and robust; we read ``bytes`` and never its charset-guessed ``text``."""

    name = "zxing"

    def __init__(self, *, try_rotate: bool = True, try_downscale: bool = True, try_invert: bool = False,
                 binarizer: str = "LocalAverage") -> None:
        require(Extra.QR, "zxingcpp")
        import zxingcpp

        self._zx = zxingcpp
        self._opts = {
            "formats": zxingcpp.BarcodeFormat.QRCode,
            "try_rotate": try_rotate,
            "try_downscale": try_downscale,
            "try_invert": try_invert,
            "binarizer": getattr(zxingcpp.Binarizer, binarizer),
        }

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        return self.scan(gray)[0]

    def scan(self, gray: np.ndarray) -> tuple[list[Decoded], list[tuple[int, int, int, int]]]:
        """Decoded codes, and the boxes (x, y, w, h) of codes zxing located but could not
        decode: for the same price, they tell the pipeline where a recovery may pay off."""
        codes, failed = [], []
        for r in self._zx.read_barcodes(_contiguous(gray), return_errors=True, **self._opts):
            p = r.position
            corners = tuple((int(q.x), int(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            if r.valid:
                codes.append(Decoded.of(bytes(r.bytes), corners, self.name))
            else:
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                failed.append((min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1))
        return codes, failed


def _contiguous(gray: np.ndarray) -> np.ndarray:
    if gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("decoders take a 2-D uint8 grayscale image")
    return np.ascontiguousarray(gray)


_GREY_FOURCC = int.from_bytes(b"Y800", "little")


def _zbar_config(text: bytes) -> tuple[int, int, int]:
    """(symbology, config, value) from a zbar config string, e.g. ``qrcode.binary``.

    Asking libzbar itself avoids hard-coding enum values that moved between zbar releases
    (ZBAR_CFG_BINARY only exists since 0.23: 4 there).
    """
    from pyzbar import wrapper as w

    sym, cfg, val = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    if w.zbar_parse_config(text, ctypes.byref(sym), ctypes.byref(cfg), ctypes.byref(val)) != 0:
        raise RuntimeError(f"this libzbar does not know the config {text.decode()!r}")
    return sym.value, cfg.value, val.value


class ZbarDecoder:
    """libzbar with only QR enabled, in raw-bytes (binary) mode.

    A zbar image scanner is not thread-safe: use one ZbarDecoder per thread.
    """

    name = "zbar"

    def __init__(self) -> None:
        require(Extra.QR, "pyzbar")
        from pyzbar import wrapper as w

        self._w = w
        self._scanner = w.zbar_image_scanner_create()
        if not self._scanner:
            raise RuntimeError("zbar could not create an image scanner")
        w.zbar_image_scanner_set_config(self._scanner, 0, 0, 0)  # ZBAR_NONE, ZBAR_CFG_ENABLE, off
        for setting in (b"qrcode.enable", b"qrcode.binary"):
            sym, cfg, val = _zbar_config(setting)
            if w.zbar_image_scanner_set_config(self._scanner, sym, cfg, val) != 0:
                raise RuntimeError(f"zbar refused {setting.decode()}")

    def decode(self, gray: np.ndarray) -> list[Decoded]:
        w = self._w
        img = _contiguous(gray)
        h, wd = img.shape
        data = img.tobytes()
        image = w.zbar_image_create()
        try:
            w.zbar_image_set_format(image, _GREY_FOURCC)
            w.zbar_image_set_size(image, wd, h)
            w.zbar_image_set_data(image, data, len(data), None)
            if w.zbar_scan_image(self._scanner, image) <= 0:
                return []
            return list(self._symbols(image))
        finally:
            w.zbar_image_destroy(image)

    def _symbols(self, image):
        w = self._w
        sym = w.zbar_image_first_symbol(image)
        while sym:
            raw = ctypes.string_at(w.zbar_symbol_get_data(sym), w.zbar_symbol_get_data_length(sym))
            n = w.zbar_symbol_get_loc_size(sym)
            pts = tuple((int(w.zbar_symbol_get_loc_x(sym, i)), int(w.zbar_symbol_get_loc_y(sym, i))) for i in range(n))
            yield Decoded.of(raw, pts, self.name)
            sym = w.zbar_symbol_next(sym)

    def close(self) -> None:
        if self._scanner:
            self._w.zbar_image_scanner_destroy(self._scanner)
            self._scanner = None

    def __del__(self) -> None:  # the scanner is C memory: free it with the object
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def make_decoder(name: str) -> Decoder:
    """"zxing" or "zbar"."""
    if name == "zxing":
        return ZxingDecoder()
    if name == "zbar":
        return ZbarDecoder()
    raise ValueError(f"unknown decoder {name!r} (zxing or zbar)")
