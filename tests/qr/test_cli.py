# SPDX-License-Identifier: Apache-2.0
"""`cardkit qr decode|watch|bench` through cardkit.cli.main: JSON output and exit codes."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from cardkit.cli import main

from .conftest import PAYLOADS, qr_gray


@pytest.fixture
def images(tmp_path):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), qr_gray(PAYLOADS[5], scale=3))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200), 255, np.uint8))
    bad_text = tmp_path / "bad.png"
    cv2.imwrite(str(bad_text), qr_gray("hello|world", scale=3))
    return good, blank, bad_text


@pytest.mark.parametrize("decoder", ["auto", "zxing", "zbar"])
def test_decode_json_gives_exact_text_and_fields(images, capsys, decoder):
    good = images[0]
    assert main(["qr", "decode", str(good), "--decoder", decoder, "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["path"] == str(good) and entry["text"] == PAYLOADS[5]
    assert entry["fields"]["id_number"] == PAYLOADS[5].split("|")[0]
    assert "error" not in entry


def test_decode_reports_each_failure_and_exits_non_zero(images, capsys):
    good, blank, bad_text = images
    assert main(["qr", "decode", str(good), str(blank), str(bad_text), "--json"]) == 1
    entries = json.loads(capsys.readouterr().out)
    assert [("text" in e, "error" in e) for e in entries] == [(True, False), (False, True), (True, True)]
    assert entries[1]["error"] == "no QR code found | Không tìm thấy mã QR trong ảnh"
    assert entries[2]["text"] == "hello|world" and "layout" in entries[2]["error"]


def test_decode_missing_file_is_one_line_error(tmp_path, capsys):
    assert main(["qr", "decode", str(tmp_path / "none.png")]) == 1
    err = capsys.readouterr().err
    assert "cannot read image" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_watch_images_prints_each_payload_once(tmp_path, capsys):
    for i, text in enumerate([PAYLOADS[0], PAYLOADS[0], PAYLOADS[1]]):
        cv2.imwrite(str(tmp_path / f"{i}.png"), qr_gray(text, scale=2))
    assert main(["qr", "watch", "--images", str(tmp_path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == [PAYLOADS[0], PAYLOADS[1]]
    assert all("time" in line and "fields" in line for line in lines)


def test_watch_missing_video_exits_with_reason(tmp_path, capsys):
    assert main(["qr", "watch", "--video", str(tmp_path / "x.avi")]) == 2
    assert "video file not found" in capsys.readouterr().err


def test_bench_json_on_a_tiny_set(tmp_path, capsys):
    (tmp_path / "clean").mkdir()
    (tmp_path / "no_code").mkdir()
    img = np.full((300, 400), 200, np.uint8)
    code = qr_gray(PAYLOADS[2], scale=2)
    img[50:50 + code.shape[0], 100:100 + code.shape[1]] = code
    cv2.imwrite(str(tmp_path / "clean/000.jpg"), img)
    cv2.imwrite(str(tmp_path / "no_code/000.jpg"), np.full((300, 400), 200, np.uint8))
    manifest = {"frames": [{"file": "clean/000.jpg", "class": "clean", "text": PAYLOADS[2]},
                           {"file": "no_code/000.jpg", "class": "no_code", "text": None}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert main(["qr", "bench", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for cls in ("clean", "no_code"):
        assert {n: report["classes"][cls][n]["rate"] for n in ("pipeline", "zxing", "zbar")} == {
            "pipeline": 1.0, "zxing": 1.0, "zbar": 1.0}


def test_bench_without_manifest_fails_cleanly(tmp_path, capsys):
    assert main(["qr", "bench", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_decode_errors_are_english_and_vietnamese(images, capsys):
    _, blank, bad_text = images
    assert main(["qr", "decode", str(blank), str(bad_text)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{blank}: error: no QR code found | Không tìm thấy mã QR trong ảnh",
                   f"{bad_text}: error: QR text has 2 fields, at least 6 expected (QR field layout) | "
                   "Mã QR trên thẻ không hợp lệ: sai số trường."]


def test_decoded_text_is_printed_without_control_characters(tmp_path, capsys):
    text = "001090012345||Nguyễn Văn An|01011990|Nam|Hà Nội\x1b[2J|01072021"
    path = tmp_path / "esc.png"
    cv2.imwrite(str(path), qr_gray(text, scale=3))
    assert main(["qr", "decode", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: 001090012345||Nguyễn Văn An|01011990|Nam|Hà Nội [2J|01072021\n"
    assert main(["qr", "decode", str(path), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["fields"]["residence"] == "Hà Nội [2J" and "\x1b" not in entry["text"]
