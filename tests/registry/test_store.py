# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cardkit.person import DobPrecision, Sex
from cardkit.registry.backend import StoreError
from cardkit.registry.row import Resident
from cardkit.registry.schema import LATEST_VERSION
from cardkit.registry.store import default_db_url, open_store


def _r(**kw) -> Resident:
    base = dict(id_number="001090012345", old_id_number="123456789", full_name="Nguyễn Văn An",
                date_of_birth=date(1990, 1, 1), sex=Sex.MALE, residence="Hà Nội")
    return Resident(**{**base, **kw})


def test_fresh_store_is_migrated_to_latest_version(store):
    assert store.schema_version() == LATEST_VERSION
    assert store.integrity_ok()


def test_migrate_twice_is_a_no_op(db_url):
    with open_store(db_url) as s:
        s.upsert([_r()])
    with open_store(db_url) as s:
        assert s.migrate() == LATEST_VERSION
        assert s.count() == 1


def test_store_from_newer_cardkit_is_refused(db_url):
    with open_store(db_url) as s:
        s.backend.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (LATEST_VERSION + 1, "future", "x"))
    with pytest.raises(StoreError, match="newer"):
        open_store(db_url)


def test_roundtrip_keeps_every_field(store):
    r = _r(place_of_origin="Tỉnh Nam Định", ethnicity="Kinh", religion="Không",
           card_issue_date=date(2021, 5, 1), card_expiry_date=date(2030, 1, 1),
           insurance_code="DN4010123456789", insurance_valid_from=date(2025, 1, 1),
           insurance_valid_to=date(2025, 12, 31), insurance_facility="Bệnh viện Bạch Mai")
    store.upsert([r], now=datetime(2025, 1, 2, tzinfo=UTC))
    got = store.get("001090012345")
    assert got.to_csv_row() == r.to_csv_row()
    assert got.updated_at == datetime(2025, 1, 2, tzinfo=UTC)


def test_upsert_by_id_updates_and_skips_unchanged(store):
    t1, t2 = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    assert store.upsert([_r()], now=t1) == 1
    assert store.upsert([_r()], now=t2) == 0
    assert store.get("001090012345").updated_at == t1
    assert store.upsert([_r(residence="Huế")], now=t2) == 1
    got = store.get("001090012345")
    assert (got.residence, got.updated_at, store.count()) == ("Huế", t2, 1)


def test_cmnd_only_records_are_kept_and_found(store):
    store.upsert([_r(id_number=None, old_id_number="987654321")])
    assert [r.full_name for r in store.by_cmnd("987654321")] == ["Nguyễn Văn An"]
    assert store.get("987654321") is None


def test_blocking_queries_use_dob_and_name_key(store):
    store.upsert([_r(), _r(id_number="001090099999", full_name="Trần Thị Bình", date_of_birth=date(1990, 1, 2))])
    assert [r.id_number for r in store.by_dobs([date(1990, 1, 2)])] == ["001090099999"]
    assert [r.id_number for r in store.by_name_key("nguyen van an", date(1991, 1, 1))] == ["001090012345"]
    assert store.by_name_key("nguyen van an", date(1985, 7, 7)) == []


def test_iter_residents_pages_through_everything(store):
    store.upsert([_r(id_number=f"0010900{i:05d}") for i in range(25)])
    assert len(list(store.iter_residents(batch=7))) == 25


def test_default_db_url_follows_cardkit_home(monkeypatch, tmp_path):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    assert default_db_url() == str(tmp_path / "registry.sqlite3")
    monkeypatch.delenv("CARDKIT_HOME")
    assert default_db_url().endswith(".local/share/cardkit/registry.sqlite3")


def test_sqlite_url_forms_and_unknown_scheme(tmp_path):
    with open_store(f"sqlite://{tmp_path}/a.db") as s:
        assert s.dialect == "sqlite"
    assert (tmp_path / "a.db").exists()
    with pytest.raises(StoreError):
        open_store("mysql://x")


def test_dob_screen_reads_name_keys_then_loads_survivors(store):
    store.upsert([_r(), _r(id_number="001090099999", full_name="Trần Thị Bình"),
                  _r(id_number="001090088888", full_name="Lê Văn C", date_of_birth=date(1990, 2, 2))])
    assert sorted(store.dob_name_keys([date(1990, 1, 1)])) == [
        ("001090012345", "nguyen van an"), ("001090099999", "tran thi binh")]
    assert [r.full_name for r in store.get_many(["001090099999", "nope", "001090012345"])] == [
        "Nguyễn Văn An", "Trần Thị Bình"]


def test_migration_3_replaces_the_dob_index_by_a_covering_one(db_url):
    with open_store(db_url) as s:
        if s.dialect == "sqlite":
            names = {r[0] for r in s.backend.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        else:
            names = {r[0] for r in s.backend.query("SELECT indexname FROM pg_indexes WHERE tablename = 'residents'")}
    assert "residents_dob_name" in names and "residents_dob" not in names


def test_migration_4_adds_the_dob_precision_and_keeps_rows_exact(db_url):
    from cardkit.registry.schema import CREATE_VERSION_TABLE, MIGRATIONS

    with open_store(db_url, migrate=False) as s:  # a registry written by a cardkit at version 3
        s.backend.execute(CREATE_VERSION_TABLE)
        for m in MIGRATIONS[:3]:
            for stmt in m.render(s.dialect):
                s.backend.execute(stmt)
            s.backend.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (m.version, m.description, "x"))
        s.backend.execute(
            "INSERT INTO residents (rkey, id_number, full_name, name_key, date_of_birth, content_hash, updated_at) "
            "VALUES ('001090012345', '001090012345', 'Nguyễn Văn An', 'nguyen van an', '1950-01-01', 'h', "
            "'2025-01-01T00:00:00+00:00')")
        assert s.schema_version() == 3
    with open_store(db_url) as s:
        assert s.schema_version() == LATEST_VERSION == 5
        r = s.get("001090012345")
        assert (r.date_of_birth, r.dob_precision) == (date(1950, 1, 1), DobPrecision.EXACT)
