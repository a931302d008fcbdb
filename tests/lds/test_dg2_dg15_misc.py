# SPDX-License-Identifier: Apache-2.0
import io

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from PIL import Image, features

from cardkit.errors import ParseError
from cardkit.icao.lds.dg2 import MAX_FACE_PIXELS, build_dg2, decode_image, parse_19794_5, parse_dg2
from cardkit.icao.lds.dg11 import parse_dg11
from cardkit.icao.lds.dg12 import build_dg12, parse_dg12
from cardkit.icao.lds.dg15 import build_dg15, parse_dg15
from cardkit.icao.lds.dg16 import parse_dg16


def test_pillow_decodes_jpeg2000():
    """JPEG 2000 faces are tested, never skipped: Pillow's wheels carry OpenJPEG; a build without
    it fails here instead of silently dropping the DG2 decoding checks."""
    assert features.check("jpg_2000")


def _jpeg(size=(40, 50)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 150, 120)).save(buf, "JPEG")
    return buf.getvalue()


def test_dg2_round_trips_a_jpeg_face():
    jpeg = _jpeg()
    face = parse_dg2(build_dg2(jpeg)).face
    assert face.image_type == "jpeg" and face.data == jpeg and (face.width, face.height) == (40, 50)
    assert decode_image(face).size == (40, 50)


@pytest.mark.parametrize("path,standard", [
    ("jmrtd_bsi2008/DG2.bin", "ISO/IEC 19794-5"), ("jmrtd_loes2006/DG2.bin", "ISO/IEC 19794-5"),
    ("iso39794_5/DG2_ISO39794-5_AllFields.bin", "ISO/IEC 39794-5"),
    ("iso39794_5/DG2_ISO39794-5_MandatoryFields.bin", "ISO/IEC 39794-5"),
])
def test_dg2_samples_decode_to_images(conformance, path, standard):
    face = parse_dg2((conformance / path).read_bytes()).face
    assert face.standard == standard and face.image_type == "jp2"
    img = decode_image(face)
    assert img.size[0] > 100 and img.size[1] > 100


def test_19794_5_record_sample_holds_a_jpeg(conformance):
    faces = parse_19794_5((conformance / "iso19794_5/ISO19794-5_face_record_test1.bin").read_bytes())
    assert len(faces) == 1 and faces[0].image_type == "jpeg"
    assert decode_image(faces[0]).size == (faces[0].width, faces[0].height)


def test_dg11_icao_example_parses_to_stated_values(conformance):
    dg11 = parse_dg11((conformance / "icao_9303_p10_examples/DG11_A5.bin").read_bytes())
    assert dg11.full_name == "SMITH, JOHN J"
    assert dg11.place_of_birth == "ANYTOWN<MN" and dg11.address == "123 MAPLE RD<ANYTOWN<MN"
    assert dg11.telephone == "16125551212" and dg11.profession == "TRAVEL<AGENT"


def test_dg16_icao_example_parses_to_stated_values(conformance):
    dg16 = parse_dg16((conformance / "icao_9303_p10_examples/DG16_A6.bin").read_bytes())
    assert [p.name for p in dg16.persons] == ["SMITH, CHARLES R", "BROWN, MARY J"]
    assert dg16.persons[0].telephone == "19525551212" and dg16.persons[1].date_recorded.isoformat() == "2002-03-15"


def test_dg12_round_trips_issuing_authority_and_date():
    dg12 = parse_dg12(build_dg12({0x5F19: b"BO CONG AN", 0x5F26: b"20210401", 0x5F77: b"?"}))
    assert dg12.issuing_authority == "BO CONG AN" and dg12.date_of_issue.isoformat() == "2021-04-01"
    assert dg12.unknown == ((0x5F77, b"?"),)


@pytest.mark.parametrize("key,algo", [(rsa.generate_private_key(65537, 1024).public_key(), "rsa"),
                                      (ec.generate_private_key(ec.BrainpoolP256R1()).public_key(), "ec")])
def test_dg15_round_trips_rsa_and_ec_keys(key, algo):
    assert parse_dg15(build_dg15(key)).algorithm == algo


def test_dg15_samples_parse(conformance):
    for path in ("jmrtd_bsi2008/DG15.bin", "jmrtd_loes2006/DG15.bin"):
        assert parse_dg15((conformance / path).read_bytes()).algorithm in ("rsa", "ec")


@pytest.mark.parametrize("path", ["jmrtd_bsi2008/DG14.bin", "pymrtd_bsi_tr03105_5/DG14.bin"])
def test_dg14_unwraps_6e_and_hands_security_infos_to_the_shared_parser(conformance, path):
    from cardkit.icao.lds.dg14 import build_dg14, parse_dg14
    from cardkit.tlv import parse_single

    data = (conformance / path).read_bytes()
    infos = parse_dg14(data)
    assert type(infos).__name__ == "SecurityInfos" and len(infos.infos) >= 1
    assert build_dg14(parse_single(data).value) == data


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0, ITU-T T.81 §B.2.2) claims another size."""
    data = bytearray(_jpeg())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def test_a_decompression_bomb_face_is_a_parse_error():
    # Before: PIL.Image.DecompressionBombError escaped decode_image.
    with pytest.raises(ParseError) as err:
        decode_image(_jpeg_claiming(60000, 60000))
    assert str(err.value) == (
        "image refused as a decompression bomb: Image size (3600000000 pixels) exceeds limit of 178956970 "
        "pixels, could be decompression bomb DOS attack. (DG2 image)")


def test_a_face_larger_than_a_face_image_may_be_is_refused_before_decoding():
    with pytest.raises(ParseError) as err:
        decode_image(_jpeg_claiming(5000, 5000))  # under Pillow's own limit, over the face limit
    assert str(err.value) == ("image of 5000 x 5000 pixels is larger than a face image may be "
                              f"({MAX_FACE_PIXELS} pixels) (DG2 image)")
    assert decode_image(_jpeg((4096, 16))).size == (4096, 16)
