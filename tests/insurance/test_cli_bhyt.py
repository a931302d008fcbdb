# SPDX-License-Identifier: Apache-2.0
"""`cardkit bhyt check` against the stand-in: exit 0 usable, 1 not as is, 2 lookup failed; the
account file must be 0600."""

from __future__ import annotations

import json
import os
import socket

import pytest

from cardkit.cli import main
from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.gateway import Md5Case
from cardkit.insurance.settings import GatewayAccount, load_account, write_account
from cardkit.insurance.standin import StandIn
from cardkit.insurance.standin_data import by_answer

OP = ["--operator", "Nguyễn Thị Lan", "--operator-id", "001099012345"]


def test_registry_source_answers_from_the_registry_file(tmp_path, capsys, monkeypatch):
    from datetime import date

    from cardkit.person import Sex
    from cardkit.registry.row import Resident
    from cardkit.registry.store import open_store

    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    year = date.today().year
    with open_store(str(tmp_path / "registry.sqlite3")) as s:
        s.upsert([Resident(id_number="001090012345", old_id_number=None, full_name="Nguyễn Văn An",
                           date_of_birth=date(1990, 1, 1), sex=Sex.MALE, insurance_code="DN4010123456789",
                           insurance_valid_from=date(year, 1, 1), insurance_valid_to=date(year, 12, 31),
                           insurance_facility="Bệnh viện Bạch Mai")])
    rc = main(["bhyt", "check", "--id", "001090012345", "--name", "Nguyễn Văn An", "--dob", "1990", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and (out["source"], out["code"], out["facility_name"]) == ("registry", "000", "Bệnh viện Bạch Mai")
    rc = main(["bhyt", "check", "--id", "001090099999", "--name", "X", "--dob", "1990", "--json"])
    assert rc == 1 and json.loads(capsys.readouterr().out)["code"] == "050"


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path / "home"))
    with StandIn() as s:  # the real clock: the cards are valid this year
        write_account(tmp_path / "home" / "bhyt.toml", GatewayAccount(s.url, "standin", "standin-password",
                                                                        name="stand-in"))
        from cardkit.station.config import StationConfig, save_config

        save_config(StationConfig(insurance="gateway"))
        yield s


def test_usable_card_exits_0_with_json(live, capsys):
    rc = main(["bhyt", "check", "--id", "001090012345", "--name", "Nguyễn Văn An", "--dob", "1990-01-01", *OP,
               "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert (out["outcome"], out["code"], out["card_code"], out["source"]) == ("usable", "000", "DN4010123456789",
                                                                              "stand-in")
    assert out["action"] == "accept" and out["meaning_en"] == "card data correct"


def test_expired_card_exits_1_with_text(live, capsys):
    c = by_answer()[R.EXPIRED]
    rc = main(["bhyt", "check", "--id", c.id_number, "--name", c.full_name, "--dob", c.dob, *OP])
    out = capsys.readouterr().out
    assert rc == 1
    assert out.splitlines()[0] == "010 card expired | Thẻ hết giá trị sử dụng (stand-in)"
    assert out.splitlines()[1] == "desk: not_as_is: do not accept under BHYT | Không tiếp nhận theo BHYT"


def test_code_lookup_with_new_card_exits_1(live, capsys):
    c = by_answer()[R.OLD_CARD_VALID_NEW_ISSUED]
    rc = main(["bhyt", "check", "--code", c.card_code, "--name", c.full_name, "--dob", c.dob, *OP])
    out = capsys.readouterr().out
    assert rc == 1 and f"new card  {c.new_code} " in out


def test_unregistered_operator_exits_2(live, capsys):
    rc = main(["bhyt", "check", "--id", "001090012345", "--name", "Nguyễn Văn An", "--dob", "01/01/1990",
               "--operator", "X", "--operator-id", "079000000000"])
    assert rc == 2
    assert capsys.readouterr().out.splitlines()[0].startswith("054 the operator is not registered with BHXH")


def test_offline_gateway_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc = main(["bhyt", "check", "--id", "001090012345", "--name", "A", "--dob", "1990", "--host",
               f"http://127.0.0.1:{port}", "--user", "u", "--password", "p", "--timeout", "0.5"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err == (f"cardkit: error: gateway: cannot reach http://127.0.0.1:{port} (ConnectError) | "
                   "Chưa tra cứu được BHYT: không kết nối được cổng BHXH.\n")


def test_no_account_file_is_a_typed_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    rc = main(["bhyt", "check", "--id", "001090012345", "--name", "A", "--dob", "1990", "--source", "gateway"])
    assert rc == 2 and "Chưa có tài khoản cổng BHXH" in capsys.readouterr().err


def test_account_file_must_be_private(tmp_path):
    p = write_account(tmp_path / "a" / "bhyt.toml", GatewayAccount("http://h", "u", "p", Md5Case.LOWER))
    assert oct(p.stat().st_mode & 0o777) == "0o600" and oct(p.parent.stat().st_mode & 0o777) == "0o700"
    assert load_account(p) == GatewayAccount("http://h", "u", "p", Md5Case.LOWER)
    os.chmod(p, 0o644)
    from cardkit.errors import InputError

    with pytest.raises(InputError, match=r"readable by its owner only \(chmod 600\)"):
        load_account(p)


def test_standin_command_serves_exactly_its_account(tmp_path):
    import re
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "cardkit", "bhyt", "stand-in", "--port", "0", "--user", "desk1",
                             "--password", "pw1"], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CARDKIT_HOME": str(tmp_path)})
    try:
        line = proc.stderr.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+) for account 'desk1'", line)
        assert m and "stand-in (not the gateway)" in line
        base = [sys.executable, "-m", "cardkit", "bhyt", "check", "--id", "001090012345", "--name", "Nguyễn Văn An",
                "--dob", "01/01/1990", "--host", m.group(1), *OP]
        env = {**os.environ, "CARDKIT_HOME": str(tmp_path)}
        ok = subprocess.run([*base, "--user", "desk1", "--password", "pw1"], capture_output=True, text=True, env=env)
        assert ok.returncode == 0
        assert ok.stdout.splitlines()[0] == "000 card data correct | Thông tin thẻ chính xác (stand-in)"
        bad = subprocess.run([*base, "--user", "desk1", "--password", "other"], capture_output=True, text=True, env=env)
        assert bad.returncode == 2 and bad.stdout == ""
        assert bad.stderr == ("cardkit: error: stand-in: token refused (maKetQua 401) | "
                              "Chưa tra cứu được BHYT: tài khoản cổng BHXH bị từ chối.\n")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bench_bhyt_reports_both_medians(capsys):
    assert main(["bench", "bhyt", "--runs", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"runs", "standin_check_ms", "address_convert_ms"} and out["runs"] == 3
    assert out["standin_check_ms"] > 0 and out["address_convert_ms"] > 0
