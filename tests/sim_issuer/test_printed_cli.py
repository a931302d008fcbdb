# SPDX-License-Identifier: Apache-2.0
"""The printed side (QR, card images) and `cardkit sim make` / `cardkit sim persons`."""

import io
import json

import segno
from PIL import Image

from cardkit.cli import main
from cardkit.sim.image import CardImage
from cardkit.sim.population import builtin_card, person
from cardkit.sim.printed import make_qr, qr_png

TEXT = "001090012345|013456789|Nguyễn Văn An|01011990|Nam|Số 18 ngõ 215 phố Trần Quốc Hoàn, Hà Nội|12042021"


def test_qr_is_a_full_qr_in_byte_mode_without_eci():
    qr = make_qr(TEXT)
    assert not qr.is_micro and qr.mode == "byte"
    with_eci = segno.make_qr(TEXT, encoding="utf-8", mode="byte", eci=True, version=qr.version, error=qr.error,
                             mask=qr.mask)
    assert qr.matrix != with_eci.matrix  # the ECI designator would change the symbol


def test_qr_png_decodes_to_the_utf8_text():
    import zxingcpp

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(TEXT))))
    assert results and results[0].bytes.decode("utf-8") == TEXT


def _main(argv: list[str]) -> int:
    try:
        return main(argv) or 0
    except SystemExit as exc:
        return int(exc.code or 0)


def test_sim_make_writes_a_loadable_card_folder(tmp_path, pki, capsys):
    out = tmp_path / "card"
    rc = _main(["sim", "make", "--person", "y-bhim-nie", "--profile", "cancuoc2024", "--seed", "9",
                "--pki", str(pki.folder), "--out", str(out), "--fault", "dg13-unknown-field"])
    assert rc == 0, capsys.readouterr()
    img = CardImage.load(out)
    assert img.meta["id"] == person("y-bhim-nie").id_number and img.meta["faults"] == ["dg13-unknown-field"]
    for name in ("qr.png", "front.png", "back.png"):
        assert Image.open(out / name).size[0] > 100
    assert Image.open(out / "front.png").size == (1012, 638)


def test_sim_make_from_a_person_file(tmp_path, pki, capsys):
    src = tmp_path / "p.json"
    src.write_text(json.dumps(person("giang-thi-my").data().to_dict(), ensure_ascii=False), "utf-8")
    assert _main(["sim", "make", str(src), "--pki", str(pki.folder), "--out", str(tmp_path / "c")]) == 0
    assert CardImage.load(tmp_path / "c").meta["person"]["full_name"] == "Giàng Thị Mỷ"


def test_sim_persons_json(capsys):
    assert _main(["sim", "persons", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["key"] == "nguyen-van-an" and {"key", "name", "profile", "id", "dob", "sex", "province"} <= set(rows[0])


def test_card_images_render_for_both_profiles():
    from cardkit.sim.printed import back_png, front_png

    for profile in ("cccd2021", "cancuoc2024"):
        img = builtin_card(profile=profile)
        for png in (front_png(img), back_png(img)):
            assert Image.open(io.BytesIO(png)).size == (1012, 638)
