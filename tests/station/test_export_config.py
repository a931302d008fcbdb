# SPDX-License-Identifier: Apache-2.0
"""Exports (JSON, FHIR R4 Patient), access keys from operator input, and the config file."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cardkit.errors import InputError
from cardkit.person import PersonData, Sex
from cardkit.registry.journal import CheckInRecord
from cardkit.station.access import access_from_input
from cardkit.station.config import StationConfig, load_config, save_config
from cardkit.station.export import CCCD_SYSTEM, checkin_fhir, fhir_patient

P = PersonData(id_number="001090012345", old_id_number="013456789", full_name="Nguyễn Thị Thu Hằng",
               date_of_birth=date(1990, 1, 1), sex=Sex.FEMALE, residence="Số 1 Phố Huế, Hà Nội")


def test_fhir_patient_has_cccd_identifier_vietnamese_name_order_and_address():
    r = fhir_patient(P, resource_id="abc", insurance_code="DN4010123456789")
    assert r["resourceType"] == "Patient" and r["id"] == "abc"
    assert [(i["system"], i["value"]) for i in r["identifier"]] == [
        (CCCD_SYSTEM, "001090012345"), ("urn:vn:cmnd", "013456789"), ("urn:vn:bhyt", "DN4010123456789")]
    assert r["name"] == [{"use": "official", "text": "Nguyễn Thị Thu Hằng", "family": "Nguyễn",
                          "given": ["Thị", "Thu", "Hằng"]}]
    assert r["gender"] == "female" and r["birthDate"] == "1990-01-01"
    assert r["address"][0]["text"] == "Số 1 Phố Huế, Hà Nội" and r["address"][0]["country"] == "VN"
    assert "photo" not in r


@pytest.mark.parametrize("sex, gender", [(Sex.MALE, "male"), (Sex.FEMALE, "female"), (None, "unknown")])
def test_fhir_gender(sex, gender):
    assert fhir_patient(P.with_(sex=sex))["gender"] == gender


def test_fhir_from_a_journal_record_uses_the_kept_identity():
    rec = CheckInRecord(at=datetime(2025, 7, 1, 2, 30, tzinfo=UTC), station="s", operator="o",
                        access_method="PACE-CAN", match_outcome="exact_id", id_number=P.id_number,
                        extra={"identity": P.to_dict(), "insurance": {"code": "DN4010123456789"}}, checkin_id="c1")
    r = checkin_fhir(rec)
    assert r["id"] == "c1" and r["name"][0]["family"] == "Nguyễn" and r["identifier"][-1]["value"] == "DN4010123456789"


@pytest.mark.parametrize("text, kind", [("001090012345", "can"), ("012345", "can"),
                                        ("090012345,900101,300101", "mrz")])
def test_access_from_operator_input(text, kind):
    a = access_from_input(text)
    assert (a.can is not None) if kind == "can" else (a.mrz_key is not None)
    if text == "001090012345":
        assert a.can.value == "012345"  # CAN = last 6 digits of the ID (CCCD.md)


@pytest.mark.parametrize("text", ["", "12345", "abc", "0010900123456"])
def test_bad_access_input_has_a_vietnamese_message(text):
    with pytest.raises(InputError) as e:
        access_from_input(text)
    assert e.value.message_vi


def test_config_defaults_round_trip_and_validation(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    c = load_config()
    assert c.mode == "clinic" and c.language == "vi"
    assert c.registry_url == str(tmp_path / "registry.sqlite3") and c.trust_path == str(tmp_path / "trust")
    path = save_config(c.with_(operator='Lê "Văn" C', mode="counter", language="en"))
    assert path == tmp_path / "station.toml"
    back = load_config()
    assert back.operator == 'Lê "Văn" C' and back.mode == "counter" and back.language == "en"
    with pytest.raises(InputError):
        StationConfig(mode="hospital")
    (tmp_path / "station.toml").write_text("mode = [", "utf-8")
    with pytest.raises(InputError):
        load_config()


def test_the_agent_switch_and_port(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDKIT_HOME", str(tmp_path))
    assert (StationConfig().agent, StationConfig().hosts_agent, StationConfig().agent_port) == ("off", False, "")
    (tmp_path / "station.toml").write_text('agent = true\nagent_port = "8800"\n', "utf-8")
    c = load_config()
    assert (c.agent, c.hosts_agent, c.agent_port) == ("on", True, "8800")
    assert load_config(save_config(c.with_(operator="Lan"))) == c.with_(operator="Lan")  # setup keeps the switch
    with pytest.raises(InputError) as bad:
        StationConfig(agent="maybe")
    assert bad.value.message_vi == "Cấu hình trạm: giá trị 'agent' phải là on hoặc off."
    with pytest.raises(InputError) as bad:
        StationConfig(agent_port="99999")
    assert str(bad.value) == "station config: agent_port must be a port number (1-65535) or empty"
