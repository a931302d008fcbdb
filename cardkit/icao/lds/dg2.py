# SPDX-License-Identifier: Apache-2.0
"""DG2: encoded face (ICAO 9303-10 §4.7.2; ISO/IEC 19794-5:2005 §5, ISO/IEC 39794-5 for LDS 1.8).

``75`` -> ``7F61`` {``02`` count, ``7F60``*} ; each ``7F60`` = ``A1`` biometric header template
+ ``5F2E`` (19794-5 record, binary) or ``7F2E`` (39794-5, BER). Images are JPEG, JPEG 2000 (.jp2)
or raw JPEG 2000 codestreams (.j2k); :func:`decode_image` turns one into a Pillow image.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardkit.errors import ParseError
from cardkit.tlv import Tlv, encode_tlv, parse_single, walk

if TYPE_CHECKING:  # Pillow is imported when an image is decoded, not with the parser
    from PIL.Image import Image

TAG_DG2, TAG_BIGT, TAG_BIT, TAG_BHT, TAG_BDB, TAG_BDB_CONSTRUCTED = 0x75, 0x7F61, 0x7F60, 0xA1, 0x5F2E, 0x7F2E
_MAGIC = ((b"\xff\xd8\xff", "jpeg"), (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jp2"), (b"\xff\x4f\xff\x51", "j2k"))
_19794_IMAGE_TYPES = {0: "jpeg", 1: "jp2"}


@dataclass(frozen=True)
class FaceImage:
    standard: str  # "ISO/IEC 19794-5" or "ISO/IEC 39794-5"
    image_type: str  # "jpeg", "jp2", "j2k" or "unknown"
    data: bytes
    width: int | None = None
    height: int | None = None
    header: tuple[tuple[int, bytes], ...] = ()  # biometric header template elements (tag, value)


@dataclass(frozen=True)
class Dg2:
    faces: tuple[FaceImage, ...]

    @property
    def face(self) -> FaceImage | None:
        return self.faces[0] if self.faces else None


def sniff_image_type(data: bytes) -> str:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return "unknown"


def parse_19794_5(record: bytes, header: tuple[tuple[int, bytes], ...] = (), offset: int = 0) -> list[FaceImage]:
    """ISO/IEC 19794-5 §5.4-5.7: general header, then facial record data blocks."""
    if len(record) < 14 or record[:4] != b"FAC\x00":
        raise ParseError("not an ISO/IEC 19794-5 face record", what="DG2 19794-5", offset=offset)
    _, count = struct.unpack(">IH", record[8:14])
    pos, faces = 14, []
    for _ in range(count):
        if pos + 32 > len(record):
            raise ParseError("truncated facial record", what="DG2 19794-5", offset=offset + pos)
        block_len, n_points = struct.unpack(">IH", record[pos:pos + 6])
        info = pos + 20 + 8 * n_points  # §5.5: 20-byte facial info, 8 bytes per feature point
        if info + 12 > len(record) or block_len < info + 12 - pos or pos + block_len > len(record):
            raise ParseError("facial record length inconsistent", what="DG2 19794-5", offset=offset + pos)
        image_type, width, height = record[info + 1], *struct.unpack(">HH", record[info + 2:info + 6])
        data = record[info + 12:pos + block_len]
        kind = sniff_image_type(data) if sniff_image_type(data) != "unknown" else _19794_IMAGE_TYPES.get(image_type, "unknown")
        faces.append(FaceImage("ISO/IEC 19794-5", kind, data, width, height, header))
        pos += block_len
    return faces


def _parse_39794_5(bdb: Tlv, header: tuple[tuple[int, bytes], ...]) -> list[FaceImage]:
    """ISO/IEC 39794-5 imageData: the primitive element whose content is an image."""
    faces = []
    for _, tlv in walk(bdb.value, base_offset=bdb.offset + bdb.length_bytes):
        if not tlv.constructed and sniff_image_type(tlv.value) != "unknown":
            faces.append(FaceImage("ISO/IEC 39794-5", sniff_image_type(tlv.value), tlv.value, None, None, header))
    if not faces:
        raise ParseError("no image data in 39794-5 block", what="DG2", tag=TAG_BDB_CONSTRUCTED, offset=bdb.offset)
    return faces


def parse_dg2(data: bytes) -> Dg2:
    root = parse_single(data, expected_tag=TAG_DG2)
    group = root.require(TAG_BIGT, "DG2")
    faces: list[FaceImage] = []
    for bit in group.children():
        if bit.tag != TAG_BIT:
            continue  # 02 count, or something unknown: tolerated
        bht = bit.find(TAG_BHT)
        header = tuple((t.tag, t.value) for t in bht.children()) if bht is not None else ()
        bdb = bit.find(TAG_BDB) or bit.find(TAG_BDB_CONSTRUCTED)
        if bdb is None:
            raise ParseError("biometric data block missing", what="DG2", tag=TAG_BIT, offset=bit.offset)
        if bdb.tag == TAG_BDB:
            faces.extend(parse_19794_5(bdb.value, header, bdb.offset + bdb.length_bytes))
        else:
            faces.extend(_parse_39794_5(bdb, header))
    return Dg2(tuple(faces))


# A face image is a few hundred pixels a side (ISO/IEC 19794-5 §8: 240 x 320 for a token image);
# 4096 x 4096 leaves room for any real one. A larger header is refused before decoding: a small
# file may claim a huge image (a "decompression bomb"), and Pillow's own guard only starts at
# 89 million pixels (a warning) and refuses at twice that (DecompressionBombError).
MAX_FACE_PIXELS = 4096 * 4096


def decode_image(face: FaceImage | bytes) -> Image:
    """Decode to a Pillow image (JPEG 2000 needs Pillow built with OpenJPEG: ``PIL.features.check('jpg_2000')``).

    :class:`ParseError` for anything that is not a decodable image of at most
    :data:`MAX_FACE_PIXELS` pixels (the card controls these bytes)."""
    from PIL import Image, UnidentifiedImageError

    data = face.data if isinstance(face, FaceImage) else face
    try:
        img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > MAX_FACE_PIXELS:
            raise ParseError(f"image of {width} x {height} pixels is larger than a face image may be "
                             f"({MAX_FACE_PIXELS} pixels)", what="DG2 image")
        img.load()
    except Image.DecompressionBombError as exc:
        raise ParseError(f"image refused as a decompression bomb: {exc}", what="DG2 image") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ParseError(f"image cannot be decoded: {exc}", what="DG2 image") from None
    return img


def build_face_record(image: bytes, *, width: int | None = None, height: int | None = None) -> bytes:
    """One ISO/IEC 19794-5 record with one face, full frontal, no feature points."""
    kind = sniff_image_type(image)
    if kind not in ("jpeg", "jp2"):
        raise ValueError("image must be JPEG or JPEG 2000 (.jp2)")
    if width is None or height is None:
        width, height = decode_image(image).size
    info = bytes([1, 0 if kind == "jpeg" else 1]) + struct.pack(">HH", width, height) + bytes([1, 2, 0, 0, 0, 0])
    facial = bytes(1 + 1 + 1 + 3 + 2 + 3 + 3)  # gender..pose uncertainty: unspecified (§5.5)
    block = struct.pack(">IH", 4 + 2 + len(facial) + len(info) + len(image), 0) + facial + info + image
    return b"FAC\x00010\x00" + struct.pack(">IH", 14 + len(block), 1) + block


def build_dg2(image: bytes, *, width: int | None = None, height: int | None = None) -> bytes:
    """DG2 with one 19794-5 face; header: ICAO version 1.1, type face, format owner/type 0101/0008."""
    bht = encode_tlv(TAG_BHT, encode_tlv(0x80, b"\x01\x01") + encode_tlv(0x81, b"\x02") + encode_tlv(0x82, b"\x00")
                     + encode_tlv(0x87, b"\x01\x01") + encode_tlv(0x88, b"\x00\x08"))
    bit = encode_tlv(TAG_BIT, bht + encode_tlv(TAG_BDB, build_face_record(image, width=width, height=height)))
    return encode_tlv(TAG_DG2, encode_tlv(TAG_BIGT, encode_tlv(0x02, b"\x01") + bit))
