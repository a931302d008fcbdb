# SPDX-License-Identifier: Apache-2.0
"""Every simulator fault gives its documented outcome through `cardkit read --json`.

The card is served to the real pcscd (plugin fixture); `cardkit read` runs as its CLI entry point
and reads through pyscard. Exit status: 0 read, 1 something INVALID, 2 the read failed.
"""

from __future__ import annotations

import json

import pytest

from cardkit.cli import main
from cardkit.sim.pki import TestPki

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]
ID, DOB, EXPIRY = "001090012345", "1990-01-01", "2030-01-01"  # the demo card (nguyen-van-an)

# fault -> (exit status, overall or error text, {check: status} pinned)
OUTCOMES = {
    "remove-after:12": (2, "removed", {}),  # a whole read takes about 20 APDUs with extended length
    "remove-during:DG2": (2, "removed", {}),
    "bad-mac": (2, "MAC", {}),
    "max-le:128": (0, "VALID", {}),
    "max-le:100:6C": (0, "VALID", {}),
    "eof-6282": (0, "VALID", {}),
    "slow:5": (0, "VALID", {}),
    "bac-only": (0, "VALID", {}),
    "pace-only": (0, "VALID", {}),
    "cloned": (1, "INVALID", {"active_authentication": "INVALID", "sod_signature": "VALID", "ds_chain": "VALID"}),
    "altered-dg:13": (1, "INVALID", {"dg_hash:DG13": "INVALID", "dg_hash:DG1": "VALID"}),
    "untrusted-csca": (0, "UNKNOWN_ISSUER", {"ds_chain": "UNKNOWN_ISSUER"}),
    "expired-ds": (1, "INVALID", {"ds_validity": "INVALID"}),
    "dg13-unknown-field": (0, "VALID", {}),
    "com-lists-absent:11": (0, "VALID", {}),
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
    got = {v["check"]: v["status"] for v in doc["verdicts"]}
    for check, want in checks.items():
        assert got[check] == want, (check, doc["verdicts"])
    if fault == "bac-only":
        assert doc["access"] == "BAC" and "no EF.CardAccess" in doc["access_detail"]["reason"]
    if fault == "pace-only":
        assert doc["access"] == "PACE"
    if fault == "dg13-unknown-field":
        assert any("Thông tin bổ sung" in value for _label, value in doc["holder"]["extra"])
    if fault == "com-lists-absent:11":
        assert doc["files"]["DG11"] == "absent (6A82)"


def test_pace_only_card_refuses_bac_clearly(cardkit_reader, capsys, trust_dir):
    reader = cardkit_reader(faults=["pace-only"])
    code, doc, err = _read(capsys, reader, trust_dir, "--access", "bac")
    assert code == 2 and doc is None and "BAC" in err


def test_wrong_can_on_a_served_cccd(cardkit_reader, capsys, trust_dir):
    reader = cardkit_reader()
    code = main(["read", "--reader", reader, "--can", "000000", "--json"])
    _out, err = capsys.readouterr()
    assert code == 2 and "rejected" in err and "Sai khóa" in err
