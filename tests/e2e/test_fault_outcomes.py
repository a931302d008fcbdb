# SPDX-License-Identifier: Apache-2.0
"""Every simulator fault gives its documented outcome through `cardkit read --json`.

The card is served to the real pcscd (plugin fixture); `cardkit read` runs as its CLI entry point
and reads through pyscard. Exit status: 0 VALID, 1 INVALID, 2 the read failed, 3 not verified.
"""

from __future__ import annotations

import json

import pytest

from cardkit.cli import main
from cardkit.sim.pki import TestPki

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]
ID, DOB, EXPIRY = "001090012345", "1990-01-01", "2030-01-01"  # the demo card (nguyen-van-an)

# fault -> (exit status, overall or error text, {check: (status, reason or None)} pinned)
ABSENT15 = "DG15 is listed in EF.SOD but the chip did not return it: absent (6A82)"
CLONE15 = "possible clone: EF.SOD lists DG15 but the chip did not return it (absent (6A82))"
OUTCOMES = {
    "remove-after:12": (2, "removed", {}),  # a whole read takes about 20 APDUs with extended length
    "remove-during:DG2": (2, "removed", {}),
    "bad-mac": (2, "MAC", {}),
    "max-le:128": (0, "VALID", {}),
    "max-le:100:6C": (0, "VALID", {}),
    "eof-6282": (0, "VALID", {}),
    "slow:5": (0, "VALID", {}),
    "bac-only": (0, "VALID", {"access_downgrade": ("VALID", "the session used BAC; the chip's signed data "
                                                            "advertises no PACE")}),
    "pace-only": (0, "VALID", {"access_downgrade": ("VALID", "the session used PACE")}),
    "cloned": (1, "INVALID", {"active_authentication": ("INVALID", None), "sod_signature": ("VALID", None),
                              "ds_chain": ("VALID", None)}),
    "altered-dg:13": (1, "INVALID", {"dg_hash:DG13": ("INVALID", "sha256 hash differs from EF.SOD: DG13 was altered "
                                                                 "or comes from another document"),
                                     "dg_hash:DG1": ("VALID", None)}),
    "untrusted-csca": (3, "UNKNOWN_ISSUER", {"ds_chain": ("UNKNOWN_ISSUER", None)}),
    "expired-ds": (1, "INVALID", {"ds_validity": ("INVALID", "DS certificate expired on 2020-12-31")}),
    "dg13-unknown-field": (0, "VALID", {}),
    "com-lists-absent:11": (0, "VALID", {}),
    "com-lists-absent:15": (1, "INVALID", {"dg_hash:DG15": ("INVALID", ABSENT15),
                                           "active_authentication": ("INVALID", CLONE15)}),
    # the forgery lab (cardkit.sim.forgeries and the runtime faults of cardkit.sim.faults)
    "sod-digest-downgrade": (1, "INVALID", {"sod_content": ("INVALID", "algorithm not allowed: digest md5"),
                                            "sod_signature": ("VALID", None)}),
    "sod-digest-downgrade:1.2.3.4": (1, "INVALID", {"sod_content": ("INVALID", "algorithm not allowed: digest 1.2.3.4")}),
    "sod-sig-unknown": (1, "INVALID", {"sod_signature": (
        "INVALID", "algorithm not allowed: signature algorithm 1.2.840.10045.4.3.99"), "sod_content": ("VALID", None)}),
    "sod-sig-oid-flip": (1, "INVALID", {"sod_signature": (
        "INVALID", "algorithm not allowed: signature algorithm 1.2.840.10173.4.3.2")}),
    "com-omits:15": (0, "VALID", {"active_authentication": ("VALID", None)}),
    "com-hides:15": (1, "INVALID", {"dg_hash:DG15": ("INVALID", ABSENT15), "active_authentication": ("INVALID", CLONE15)}),
    "com-hides:14": (1, "INVALID", {"chip_authentication": (
        "INVALID", "possible clone: EF.SOD lists DG14 but the chip did not return it (absent (6A82))")}),
    "refuse:DG15": (1, "INVALID", {"dg_hash:DG15": ("INVALID", ABSENT15), "active_authentication": ("INVALID", CLONE15)}),
    "refuse:DG15:6982": (1, "INVALID", {"dg_hash:DG15": (
        "INVALID", "DG15 is listed in EF.SOD but the chip did not return it: not readable: protected (6982)")}),
    "refuse:DG13:6982": (1, "INVALID", {"dg_hash:DG13": (
        "INVALID", "DG13 is listed in EF.SOD but the chip did not return it: not readable: protected (6982)")}),
    "refuse:DG3:6982": (0, "VALID", {"dg_protected:DG3": (
        "NOT_CHECKED", "DG3 is protected by Extended Access Control (6982): not read, not needed here")}),
    "bac-forced": (1, "INVALID", {"access_downgrade": (
        "INVALID", "the chip's signed DG14 advertises PACE, but the session used BAC (card does not offer PACE "
                   "(no EF.CardAccess))")}),
    "bad-domain:generator": (2, "the generator is not on the curve", {}),
    "bad-domain:order": (2, "the order n of the generator is not a prime different from p", {}),
    "bad-domain:cofactor": (2, "the cofactor h does not give a group order within the Hasse bound", {}),
    "bad-domain:prime": (2, "the field modulus p is not a prime of at least 192 bits", {}),
    "bad-domain:singular": (2, "the curve is singular", {}),
    "bad-domain:dh-order": (2, "the DH subgroup order q is not a prime of at least 160 bits dividing p - 1", {}),
    "bad-domain:dh-small": (2, "the DH modulus p is not a prime of at least 1024 bits", {}),
}


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trust")
    TestPki().write_trust(folder)
    return str(folder)


def _read(capsys, reader: str, trust_dir: str, *extra: str) -> tuple[int, dict | None, str]:
    code = main(["read", "--reader", reader, "--id", ID, "--dob", DOB, "--expiry", EXPIRY,
                 "--trust", trust_dir, "--json", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


@pytest.mark.parametrize("fault", list(OUTCOMES))
def test_fault_outcome(cardkit_reader, capsys, trust_dir, fault):
    status, overall, checks = OUTCOMES[fault]
    reader = cardkit_reader(faults=[fault])
    code, doc, err = _read(capsys, reader, trust_dir)
    assert code == status, err
    if status == 2:
        assert doc is None and overall.lower() in err.lower() and "Traceback" not in err
        return
    assert doc["overall"] == overall
    got = {v["check"]: (v["status"], v["reason"]) for v in doc["verdicts"]}
    for check, (want, reason) in checks.items():
        assert got[check][0] == want, (check, doc["verdicts"])
        if reason is not None:
            assert got[check][1] == reason
    assert doc["holder_verified"] is (overall == "VALID")
    if fault == "bac-only":
        assert doc["access"] == "BAC" and "no EF.CardAccess" in doc["access_detail"]["reason"]
    if fault == "pace-only":
        assert doc["access"] == "PACE"
    if fault == "dg13-unknown-field":
        assert any("Thông tin bổ sung" in value for _label, value in doc["holder"]["extra"])
    if fault == "com-lists-absent:11":
        assert "DG11" not in doc["files"]  # listed by EF.COM only: not read, only reported
        assert doc["findings"] == [{"code": "com_sod_mismatch",
                                    "reason": "EF.COM lists DG11, which EF.SOD does not (not read)"}]
    if fault == "com-omits:15":
        assert doc["findings"] == [{"code": "com_sod_mismatch",
                                    "reason": "EF.COM leaves out DG15, which EF.SOD lists (read anyway)"}]


def test_bac_on_a_pace_chip_is_an_access_downgrade_unless_allowed(cardkit_reader, capsys, trust_dir):
    reader = cardkit_reader()
    code, doc, _err = _read(capsys, reader, trust_dir, "--access", "bac")
    downgrade = next(v for v in doc["verdicts"] if v["check"] == "access_downgrade")
    assert (code, doc["overall"], downgrade["status"]) == (1, "INVALID", "INVALID")
    assert downgrade["reason"] == ("the chip's signed DG14 advertises PACE, but the session used BAC "
                                   "(BAC requested (--access bac))")
    code, doc, _err = _read(capsys, reader, trust_dir, "--access", "bac", "--allow-bac")
    downgrade = next(v for v in doc["verdicts"] if v["check"] == "access_downgrade")
    assert (code, doc["overall"], downgrade["status"]) == (0, "VALID", "NOT_CHECKED")
    assert downgrade["reason"].startswith("switched off by configuration: ")


def test_pace_only_card_refuses_bac_clearly(cardkit_reader, capsys, trust_dir):
    reader = cardkit_reader(faults=["pace-only"])
    code, doc, err = _read(capsys, reader, trust_dir, "--access", "bac")
    assert code == 2 and doc is None and "BAC" in err


def test_wrong_can_on_a_served_cccd(cardkit_reader, capsys, trust_dir):
    reader = cardkit_reader()
    code = main(["read", "--reader", reader, "--can", "000000", "--json"])
    _out, err = capsys.readouterr()
    assert code == 2 and "rejected" in err and "Sai khóa" in err
