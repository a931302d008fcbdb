# SPDX-License-Identifier: Apache-2.0
"""Crashes found by the fail-closed audit (issue 12) in `cardkit verify` and EF.SOD parsing:
each reproduced first, each now a typed error (exit 2, "read failed", never 1 = INVALID) or an
INVALID verdict with its reason."""

from __future__ import annotations

import pytest
from asn1crypto import x509 as asn1_x509

from cardkit.cli import main
from cardkit.errors import ParseError
from cardkit.icao.lds import signed_data
from cardkit.icao.lds.sod import parse_sod
from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.verdict import Status

from .conftest import NOW, der


@pytest.fixture()
def card_dir(tmp_path, pki):
    folder = tmp_path / "card"
    folder.mkdir()
    sod, dgs = pki.card()
    (folder / "EF_SOD.bin").write_bytes(sod)
    for n, data in dgs.items():
        (folder / f"DG{n}.bin").write_bytes(data)
    (tmp_path / "csca.cer").write_bytes(der(pki.csca))
    return folder


def test_verify_on_a_folder_whose_sod_is_a_directory_exits_2_in_one_line(tmp_path, capsys):
    # Before: IsADirectoryError traceback, exit 1 (INVALID's status).
    folder = tmp_path / "card"
    (folder / "EF_SOD.bin").mkdir(parents=True)
    assert main(["verify", str(folder), "--trust", str(tmp_path)]) == 2
    sod = folder / "EF_SOD.bin"
    assert capsys.readouterr().err == (f"cardkit: error: cannot read {sod}: is a folder, not a file | "
                                       f"Không đọc được {sod}: là một thư mục, không phải tệp.\n")


def test_verify_with_a_missing_trust_store_exits_2_instead_of_using_an_empty_one(card_dir, tmp_path, capsys):
    # Before: silently an empty store: UNKNOWN_ISSUER, exit 3.
    missing = tmp_path / "nonexistent"
    assert main(["verify", str(card_dir), "--trust", str(missing), "--now", "2025-06-01"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        f"cardkit: error: cannot read trust store {missing}: no such file or folder | "
        f"Không đọc được kho chứng thư tin cậy {missing}: không tồn tại.\n")
    assert main(["verify", str(card_dir), "--trust", str(tmp_path / "csca.cer"), "--now", "2025-06-01"]) == 0


def test_an_unexpected_crash_in_verify_is_one_line_and_never_exit_1(card_dir, tmp_path, capsys, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("cardkit.cli.verify.passive_authentication", crash)
    assert main(["verify", str(card_dir), "--trust", str(tmp_path / "csca.cer")]) == 2
    assert capsys.readouterr().err == (
        "cardkit: error: internal error (RuntimeError); --debug shows the details | "
        "Lỗi nội bộ của cardkit; chạy lại với --debug để xem chi tiết.\n")


def _bad_name(pki, sod: bytes, tag: int, value: bytes, occurrence: str) -> bytes:
    """EF.SOD with the issuer CN ("Test CSCA VN") of the DS certificate (first occurrence) or of
    the SignerInfo (last) re-typed and given bytes that do not decode; length kept."""
    issuer = asn1_x509.Certificate.load(der(pki.ds)).issuer.dump()
    at = sod.find(issuer) if occurrence == "certificate" else sod.rfind(issuer)
    cn = at + issuer.find(b"Test CSCA")
    out = bytearray(sod)
    out[cn - 2] = tag
    out[cn:cn + len(value)] = value
    return bytes(out)


BAD_STRINGS = [(0x0C, b"\xff", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
               (0x1E, b"\xd8", "'utf-16-be' codec can't decode bytes in position 0-1: illegal UTF-16 surrogate")]


@pytest.mark.parametrize("tag, value, detail", BAD_STRINGS)
def test_malformed_signer_name_is_a_parse_error_and_pa_says_invalid(pki, tag, value, detail):
    # Before: Sod.document_signer raised UnicodeDecodeError (a ValueError).
    sod, dgs = pki.card()
    bad = _bad_name(pki, sod, tag, value, "signer")
    with pytest.raises(ParseError) as err:
        parse_sod(bad)
    want = f"malformed SignerInfo issuer name: {detail} (SignerInfo issuer name)"
    assert str(err.value) == want
    result = passive_authentication(bad, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert [(v.check, v.status, v.reason) for v in result.verdicts] == [
        ("sod_structure", Status.INVALID, f"EF.SOD cannot be parsed: {want}")]


def test_malformed_issuer_name_of_the_carried_certificate_is_a_parse_error(pki):
    sod, dgs = pki.card()
    bad = _bad_name(pki, sod, 0x0C, b"\xff", "certificate")
    with pytest.raises(ParseError) as err:
        parse_sod(bad)
    assert str(err.value) == ("malformed CMS: 'utf-8' codec can't decode byte 0xff in position 0: "
                              "invalid start byte (EF.SOD)")
    assert passive_authentication(bad, dgs, pki.trust(), now=NOW).overall is Status.INVALID


def test_document_signer_never_lets_a_value_error_through(pki, monkeypatch):
    sod = parse_sod(pki.card()[0])
    assert sod.document_signer is not None and sod.document_signer.dump() == der(pki.ds)

    def undecodable(self, cert):
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    monkeypatch.setattr(signed_data.SignerInfo, "matches", undecodable)
    with pytest.raises(ParseError) as err:
        sod.document_signer
    assert str(err.value) == ("malformed signer name: 'utf-8' codec can't decode byte 0xff in position 0: "
                              "invalid start byte (EF.SOD SignerInfo)")


def test_an_os_error_anywhere_in_a_command_is_one_line_exit_2(card_dir, tmp_path, capsys, monkeypatch):
    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "trust" / "x.cer"))

    monkeypatch.setattr("cardkit.cli.verify.passive_authentication", unreadable)
    assert main(["verify", str(card_dir), "--trust", str(tmp_path / "csca.cer")]) == 2
    where = tmp_path / "trust" / "x.cer"
    assert capsys.readouterr().err == (f"cardkit: error: cannot open {where}: permission denied | "
                                       f"Không mở được {where}: không có quyền truy cập.\n")
