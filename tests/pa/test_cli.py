# SPDX-License-Identifier: Apache-2.0
import argparse
import json

import pytest

from cardkit.cli import trust as trust_cli
from cardkit.cli import verify as verify_cli

from .conftest import Pki, der


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    verify_cli.register(sub)
    trust_cli.register(sub)
    verify_cli.register_bench(sub.add_parser("bench").add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture()
def card_dir(tmp_path, pki):
    folder = tmp_path / "card"
    folder.mkdir()
    sod, dgs = pki.card()
    (folder / "EF_SOD.bin").write_bytes(sod)
    (folder / "EF_COM.bin").write_bytes(pki.com())
    for n, data in dgs.items():
        (folder / f"DG{n}.bin").write_bytes(data)
    return folder


def test_verify_exits_0_for_a_card_whose_csca_was_imported(tmp_path, card_dir, pki, capsys):
    store = tmp_path / "trust"
    (tmp_path / "csca.cer").write_bytes(der(pki.csca))
    assert run(["trust", "import", str(tmp_path / "csca.cer"), "--trust", str(store)]) == 0
    assert run(["verify", str(card_dir), "--trust", str(store), "--json", "--now", "2025-06-01"]) == 0
    out = json.loads(capsys.readouterr().out.split("\n", 2)[-1])
    assert out["overall"] == "VALID" and out["holder"]["id_number"] == "001090012345"
    assert out["files"]["DG13.bin"]["parsed"] is True


def test_verify_exits_3_and_says_so_when_the_csca_is_only_beside_the_files(tmp_path, card_dir, pki, capsys):
    (card_dir / "csca.cer").write_bytes(der(pki.csca))
    (tmp_path / "empty").mkdir()  # an empty trust store (a missing one is an error)
    code = run(["verify", str(card_dir), "--trust", str(tmp_path / "empty"), "--json", "--now", "2025-06-01"])
    out = json.loads(capsys.readouterr().out)
    chain = next(v for v in out["verdicts"] if v["check"] == "ds_chain")
    assert code == 3 and out["overall"] == "UNKNOWN_ISSUER"
    assert "beside the files" in chain["reason"] and "NOT in the trust store" in chain["reason"]


def test_verify_exits_1_when_a_dg_was_altered(tmp_path, card_dir, pki):
    (tmp_path / "csca.cer").write_bytes(der(pki.csca))
    data = bytearray((card_dir / "DG13.bin").read_bytes())
    data[-1] ^= 0x20
    (card_dir / "DG13.bin").write_bytes(bytes(data))
    assert run(["verify", str(card_dir), "--trust", str(tmp_path / "csca.cer"), "--now", "2025-06-01"]) == 1


def test_trust_list_json_has_the_documented_keys(tmp_path, capsys):
    pki = Pki(country="VN")
    (tmp_path / "vn.cer").write_bytes(der(pki.csca))
    run(["trust", "import", str(tmp_path / "vn.cer"), "--trust", str(tmp_path / "store")])
    capsys.readouterr()
    assert run(["trust", "list", "--trust", str(tmp_path / "store"), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert set(row) == {"subject", "country", "not_before", "not_after", "key", "source", "fingerprint"}
    assert row["country"] == "VN" and row["key"] == "EC NIST256p"


def test_trust_store_defaults_to_cardkit_home(tmp_path, monkeypatch):
    from cardkit.trustdir import default_trust_dir

    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    assert default_trust_dir() == tmp_path / "trust"


def test_trust_import_rejects_a_file_that_is_not_a_certificate(tmp_path):
    (tmp_path / "junk.cer").write_bytes(b"not a certificate")
    assert run(["trust", "import", str(tmp_path / "junk.cer"), "--trust", str(tmp_path / "store")]) == 1


def test_verify_conformance_folder_reports_unknown_issuer(conformance, tmp_path, capsys):
    code = run(["verify", str(conformance / "jmrtd_loes2006"), "--trust", str(tmp_path), "--json", "--now", "2007-01-01"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and out["overall"] == "UNKNOWN_ISSUER" and out["holder"]["source"] == "DG1"


def test_bench_verify_reports_a_median(conformance, capsys):
    assert run(["bench", "verify", str(conformance / "jmrtd_bsi2008"), "--runs", "2", "--json"]) == 0
    assert "median_ms" in json.loads(capsys.readouterr().out)
