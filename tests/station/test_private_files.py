# SPDX-License-Identifier: Apache-2.0
"""Personal data at rest (Law 91/2025/QH15): exports 0600 whatever the umask, the home 0700, and
spreadsheet exports that cannot run formulas (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import os
from datetime import UTC

import openpyxl
import pytest

from cardkit.cli import main
from cardkit.errors import FileAccessError
from cardkit.exports import safe_cell, write_table
from cardkit.home import ensure_home, open_private
from cardkit.icao.lds.ef import DataGroup
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.store import open_store
from cardkit.station.config import StationConfig, save_config

HOSTILE = ["=HYPERLINK(\"http://x\",\"a\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def umask0():
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_formula_cells_get_a_leading_quote_and_nothing_else_changes():
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [safe_cell(v) for v in ("Nguyễn Văn An", "a=b", "", 12, None)] == ["Nguyễn Văn An", "a=b", "", 12, None]


def test_csv_export_is_0600_and_formula_safe(tmp_path, umask0):
    out = tmp_path / "d.csv"
    assert write_table(out, ("k", "v"), [{"k": i, "v": v} for i, v in enumerate(HOSTILE)]) == len(HOSTILE)
    assert _mode(out) == 0o600
    with open(out, encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [["k", "v"], *([str(i), "'" + v] for i, v in enumerate(HOSTILE))]


def test_xlsx_export_holds_text_not_formulas(tmp_path, umask0):
    out = tmp_path / "d.xlsx"
    write_table(out, ("k", "v"), [{"k": i, "v": v} for i, v in enumerate(HOSTILE)] + [{"k": 9, "v": "a\x01b"}])
    assert _mode(out) == 0o600
    ws = openpyxl.load_workbook(out).active
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    # XML reads a CR back as LF (XML 1.0 §2.11): still text after the quote.
    assert [c.value for c in cells] == ["'" + v.replace("\r", "\n") for v in HOSTILE] + ["ab"]
    assert {c.data_type for c in cells} == {"s"}  # strings: none is a formula ("f")


def test_an_existing_export_is_tightened_when_rewritten(tmp_path):
    out = tmp_path / "d.csv"
    out.write_text("old")
    os.chmod(out, 0o644)
    with open_private(out) as fh:
        fh.write("new")
    assert _mode(out) == 0o600 and out.read_text() == "new"


def test_export_into_a_missing_folder_is_a_typed_error(tmp_path):
    with pytest.raises(FileAccessError) as err:
        write_table(tmp_path / "no" / "d.csv", ("k",), [])
    assert err.value.writing is True and err.value.path == str(tmp_path / "no" / "d.csv")


def test_discrepancies_export_through_the_cli_is_formula_safe(tmp_path, umask0, capsys):
    db = str(tmp_path / "r.sqlite3")
    with open_store(db) as store:
        from datetime import datetime

        Journal(store).append(CheckInRecord(
            at=datetime(2025, 6, 30, 8, tzinfo=UTC), station="desk-1", operator="lan",
            access_method="QR-only", match_outcome="exact_id", id_number="001090012345",
            discrepancies=[{"kind": "name_form", "field": "full_name", "severity": "info",
                            "value_a": "=cmd|' /C calc'!A0", "value_b": "Nguyễn Văn An"}]))
    out = tmp_path / "d.csv"
    assert main(["registry", "discrepancies", "--db", db, "--out", str(out), "--source", "journal"]) == 0
    assert _mode(out) == 0o600
    with open(out, encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["value_a"], row["value_b"], row["origin"]) == ("'=cmd|' /C calc'!A0", "Nguyễn Văn An", "journal")


def test_home_is_created_0700_and_a_looser_one_tightened(tmp_path, monkeypatch, umask0):
    home = tmp_path / "home"
    monkeypatch.setenv("CARDKIT_HOME", str(home))
    assert ensure_home() == home and _mode(home) == 0o700
    os.chmod(home, 0o755)
    ensure_home()
    assert _mode(home) == 0o700


def test_station_config_is_saved_0600_in_a_0700_home(tmp_path, monkeypatch, umask0):
    home = tmp_path / "home"
    monkeypatch.setenv("CARDKIT_HOME", str(home))
    path = save_config(StationConfig(operator="Lan"))
    assert path == home / "station.toml" and _mode(path) == 0o600 and _mode(home) == 0o700


def test_card_files_saved_by_cardkit_read_are_0600_in_a_0700_folder(tmp_path, umask0):
    from cardkit.cli.read import save_files

    out = tmp_path / "card"
    save_files({DataGroup.SOD: b"sod", DataGroup.DG2: b"face"}, out)
    assert _mode(out) == 0o700 and sorted((p.name, _mode(p), p.read_bytes()) for p in out.iterdir()) == [
        ("DG2.bin", 0o600, b"face"), ("EF_SOD.bin", 0o600, b"sod")]
