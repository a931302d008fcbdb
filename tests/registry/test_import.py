# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

import csv
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.errors import CardkitError, InputError
from cardkit.person import DobPrecision
from cardkit.registry.importer import import_file
from cardkit.registry.row import CSV_COLUMNS
from cardkit.registry.rowparse import parse_row
from cardkit.registry.synth import Synth, write_csv

GOOD = {
    "id_number": "079190001234", "old_id_number": "", "full_name": "Lê Thị Hoà", "date_of_birth": "1990-03-04",
    "sex": "Nữ", "place_of_origin": "", "residence": "Quận 1, TP Hồ Chí Minh", "ethnicity": "Kinh",
    "religion": "Không", "card_issue_date": "2021-06-01", "card_expiry_date": "2030-03-04",
    "insurance_code": "GD4790123456789", "insurance_valid_from": "2025-01-01",
    "insurance_valid_to": "2025-12-31", "insurance_facility": "Bệnh viện Chợ Rẫy",
}


def _write(path, rows, header=CSV_COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([row.get(c, "") for c in CSV_COLUMNS] if isinstance(row, dict) else row)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id_number": "07919000123"}, "bad length 11"),
        ({"id_number": "07919000123X"}, "not digits"),
        ({"id_number": "", "old_id_number": ""}, "no ID number"),
        ({"date_of_birth": "1990-02-30"}, "impossible date"),
        ({"date_of_birth": "31/13/1990"}, "impossible date"),
        ({"date_of_birth": "yesterday"}, "not a date"),
        ({"date_of_birth": "2999-01-01"}, "in the future"),
        ({"full_name": "  "}, "full_name: missing"),
        ({"sex": "X"}, "sex"),
        ({"card_expiry_date": "2020-01-01"}, "before issue"),
        ({"insurance_code": "abc"}, "insurance_code"),
        ({"full_name": "An\x00"}, "control"),
    ],
)
def test_parse_row_rejects_with_reason(change, reason):
    with pytest.raises(InputError, match=reason) as err:
        parse_row({**GOOD, **change})
    assert err.value.message_vi


def test_parse_row_normalises_text_and_accepts_card_date_form():
    r = parse_row({**GOOD, "full_name": unicodedata.normalize("NFD", "  Lê   Thị Hoà "), "date_of_birth": "04/03/1990"})
    assert r.full_name == "Lê Thị Hoà" and unicodedata.is_normalized("NFC", r.full_name)
    assert r.date_of_birth == date(1990, 3, 4)


@pytest.mark.parametrize("written", ["1948", "00/00/1948", "1948-00-00"])
def test_year_only_date_of_birth_is_kept_with_its_precision(store, written):
    r = parse_row({**GOOD, "date_of_birth": written})
    assert (r.date_of_birth, r.dob_precision) == (date(1948, 1, 1), DobPrecision.YEAR)
    assert r.to_csv_row()["date_of_birth"] == "1948"
    exact = parse_row({**GOOD, "date_of_birth": "01/01/1948"})  # as written: a date
    assert (exact.date_of_birth, exact.dob_precision) == (date(1948, 1, 1), DobPrecision.EXACT)
    store.upsert([r])
    back = store.get(r.key)
    assert (back.date_of_birth, back.dob_precision) == (date(1948, 1, 1), DobPrecision.YEAR)
    assert store.upsert([exact]) == 1  # the precision is content: exact 01/01 replaces the year
    assert store.get(r.key).dob_precision is DobPrecision.EXACT


@pytest.mark.parametrize(("written", "reason"), [("1879", "year before 1880"), ("2999", "in the future")])
def test_year_only_date_of_birth_rules(written, reason):
    with pytest.raises(InputError, match=reason):
        parse_row({**GOOD, "date_of_birth": written})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(CSV_COLUMNS), st.text(max_size=40)), st.sampled_from(CSV_COLUMNS))
def test_fuzzed_rows_only_raise_cardkit_errors(row, keep):
    try:
        parse_row({**GOOD, **row} if keep != "id_number" else row)
    except CardkitError:
        pass


def test_import_reports_each_broken_row_and_reimport_changes_nothing(store, tmp_path):
    path = tmp_path / "r.csv"
    rows = [dict(GOOD, id_number=f"0791900{i:05d}") for i in range(10)]
    rows[2]["id_number"] = "123"
    rows[5]["date_of_birth"] = "1990-02-31"
    _write(path, rows + [["too", "few"]])
    rep = import_file(store, path)
    assert [(r.line, r.reason.split(":")[0]) for r in rep.rejected] == [
        (4, "id_number"), (7, "date_of_birth"), (12, "2 fields, header has 15")]
    assert (rep.read, rep.inserted, rep.updated, rep.unchanged) == (11, 8, 0, 0)
    stamp = store.get("079190000000").updated_at
    again = import_file(store, path)
    assert (again.inserted, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 8, 3)
    assert store.count() == 8 and store.get("079190000000").updated_at == stamp


def test_import_synth_file_round_trips(store, tmp_path):
    path = tmp_path / "s.csv"
    write_csv(path, Synth(7).rows(500, dirty=0.2, broken=0.02))
    seen = []
    rep = import_file(store, path, batch_size=64, on_progress=lambda n, done, total: seen.append((done, total)))
    assert len(rep.rejected) > 0 and rep.accepted + len(rep.rejected) == 500
    assert store.count() == rep.inserted == rep.accepted
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size


def test_column_mapping_reads_other_headers(store, tmp_path):
    path = tmp_path / "m.csv"
    header = ["So CCCD", "Ho ten", "Ngay sinh", "Gioi tinh"]
    _write(path, [["079190001234", "Lê Thị Hoà", "04/03/1990", "Nữ"]], header=header)
    mapping = {"id_number": "So CCCD", "full_name": "Ho ten", "date_of_birth": "Ngay sinh", "sex": "Gioi tinh"}
    rep = import_file(store, path, mapping=mapping)
    assert rep.inserted == 1 and store.get("079190001234").date_of_birth == date(1990, 3, 4)
    with pytest.raises(InputError, match="header lacks"):
        import_file(store, path)


def test_xlsx_import_restores_leading_zeros(store, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(CSV_COLUMNS))
    ws.append([1090012345, None, "Nguyễn Văn An", date(1990, 1, 1), "Nam"] + [None] * 10)
    ws.append(["123", None, "Trần Bình", "1990-01-01", "Nam"] + [None] * 10)
    wb.save(tmp_path / "r.xlsx")
    rep = import_file(store, tmp_path / "r.xlsx")
    assert rep.inserted == 1 and [(r.line, r.reason) for r in rep.rejected] == [(3, "id_number: bad length 3 (want 12)")]
    assert store.get("001090012345").full_name == "Nguyễn Văn An"


def test_invalid_utf8_row_is_rejected_not_fatal(store, tmp_path):
    path = tmp_path / "bad.csv"
    _write(path, [GOOD])
    with open(path, "ab") as fh:
        fh.write(b"079190009999,,L\xea Th\xc3,1990-01-01,Nam,,,,,,,,,,\n")
    rep = import_file(store, path)
    assert rep.inserted == 1 and "UTF-8" in rep.rejected[0].reason and rep.rejected[0].line == 3
