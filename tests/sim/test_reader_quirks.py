# SPDX-License-Identifier: Apache-2.0
"""Reader and chip quirks from the field (sim.reader): every one reads byte-identical and VALID,
extended length is probed once (before secure messaging) and remembered per reader name + ATR,
and every step-down keeps the SM counters of host and chip in step."""

import tempfile

import pytest

from cardkit.apdu import CommandApdu
from cardkit.errors import InputError
from cardkit.icao import files as files_mod
from cardkit.icao.files import FileReader, forget_learned, learned_limits
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec, ReadingSession
from cardkit.sim.card import CardConfig
from cardkit.sim.factory import make_reader_card
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from cardkit.sim.reader import QuirkyReader, ReaderQuirks, apply_reader_quirks
from cardkit.transport.base import ApduProtocol
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

IMAGE = builtin_card()
NAMES = {0x0101: "DG1", 0x0102: "DG2", 0x010D: "DG13", 0x010E: "DG14", 0x010F: "DG15", 0x011D: "EF.SOD", 0x011E: "EF.COM"}


@pytest.fixture(autouse=True)
def _fresh_memory():
    forget_learned()
    yield
    forget_learned()


@pytest.fixture(scope="module")
def trust():
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


def _read(card, trust, name="desk reader"):
    conn = InProcessConnection(card, name=name)
    return read_and_verify(conn, AccessSpec(can=cccd_can(IMAGE.meta["id"])), trust=trust)


QUIRKS = [[], ["no-extended"], ["max-apdu:255"], ["le256-refused"], ["aa-le-max:256"],
          ["max-apdu:255", "le256-refused", "aa-le-max:256"]]


@pytest.mark.parametrize("quirks", QUIRKS, ids=lambda q: "+".join(q) or "ideal")
def test_every_quirk_reads_byte_identical_and_valid(trust, quirks):
    card = make_reader_card(IMAGE, quirks=quirks)
    result = _read(card, trust)
    assert result.overall.value == "VALID", [(v.check, v.status.value, v.reason) for v in result.verdicts]
    for fid, name in NAMES.items():
        assert result.read.files[DataGroup.from_fid(fid)] == IMAGE.app_files[fid], name
    assert {v.check: v.status.value for v in result.verdicts}["active_authentication"] == "VALID"


def test_a_reader_without_extended_length_is_probed_once_then_remembered(trust):
    card = make_reader_card(IMAGE, quirks=["no-extended"])
    first = _read(card, trust)
    assert card.refused == 2  # the probe (plain READ BINARY of EF.CardAccess, Le 65536 then 1024), before any SM
    assert learned_limits("desk reader", card.atr) == files_mod.LinkLimits(False, 223)
    card.reset()
    second = _read(card, trust)
    assert card.refused == 2 and second.read.apdus == first.read.apdus - 2
    assert _read(make_reader_card(IMAGE, quirks=["no-extended"]), trust, name="another reader").read.apdus == first.read.apdus


def test_extended_length_reads_each_file_in_one_or_two_apdus(trust):
    ideal = _read(make_reader_card(IMAGE), trust).read
    short = _read(make_reader_card(IMAGE, quirks=["no-extended"]), trust, name="short").read
    assert learned_limits("desk reader", IMAGE.atr if hasattr(IMAGE, "atr") else make_reader_card(IMAGE).atr) == (
        files_mod.LinkLimits(True, 65536))
    # short APDUs: the two refused probes, then ceil(size / 223) READ BINARYs a file instead of
    # one (two above 4096 bytes: the first gives the length, the second brings the rest)
    sizes = [len(IMAGE.app_files[f]) for f in NAMES]
    assert short.apdus - ideal.apdus == 2 + sum(-(-n // 223) - (1 if n <= 4096 else 2) for n in sizes)


def _session(card, name):
    s = ReadingSession(InProcessConnection(card, name=name))
    s.open(AccessSpec(can=cccd_can(IMAGE.meta["id"])))
    return s


@pytest.mark.parametrize("config,steps", [
    ({"max_le": 255, "le_error": 0x6700}, [4096, 1024, 223]),  # le256-refused
    ({"max_le": 4096, "le_error": 0x6700}, [4096, 12437, 4096]),  # first 4096, the rest refused, 4096s
    ({"max_le": 1000, "le_error": 0x6C00}, [4096, 255]),  # 6Cxx: the chip names the length
    ({"max_le": 100, "le_error": 0x6700}, [4096, 1024, 223, 160, 128, 96]),
])
def test_each_step_down_keeps_the_sm_counter_in_step(config, steps):
    card = make_reader_card(IMAGE)
    for k, v in config.items():
        setattr(card.config, k, v)
    session = _session(card, f"steps {config}")
    seen = []
    reader = FileReader(lambda c: seen.append(c.le) or session.send(c), extended=True)  # under SM from 65536
    assert reader.read_file(0x0102, 0x02) == IMAGE.app_files[0x0102]
    assert seen[: len(steps)] == steps and len(IMAGE.app_files[0x0102]) == 16533
    assert session.send.sm.ssc == card.sm.ssc  # host and chip counted the same exchanges
    assert reader.read_file(0x0101, 0x01) == IMAGE.app_files[0x0101]  # and the session goes on
    assert session.send.sm.ssc == card.sm.ssc


def test_a_reader_refusal_under_sm_never_reaches_the_chip():
    quirks = ReaderQuirks(no_extended=True)
    card = make_reader_card(IMAGE)
    session = _session(card, "before quirk")  # opened with extended length allowed
    before = card.sm.ssc
    reader = QuirkyReader(card, quirks)
    proto = ApduProtocol(InProcessConnection(reader))
    resp = proto.send(session.send.sm.protect(CommandApdu(0x00, 0xB0, 0x82, 0, le=65536)))
    assert (resp.data, resp.sw, reader.refused, card.sm.ssc) == (b"", 0x6700, 1, before)


@pytest.mark.parametrize("spec", ["max-apdu", "max-apdu:x", "max-apdu:3", "aa-le-max", "turbo", "no-extended:1"])
def test_bad_quirks_are_input_errors(spec):
    with pytest.raises(InputError):
        apply_reader_quirks([spec], CardConfig())


def test_chip_quirks_set_the_chip_config():
    config = CardConfig()
    assert apply_reader_quirks(["le256-refused", "aa-le-max:255"], config) is None
    assert (config.max_le, config.le_error, config.aa_le_max) == (255, 0x6700, 255)


def test_aa_le_max_below_the_hosts_le_fails_closed(trust):
    result = _read(make_reader_card(IMAGE, quirks=["aa-le-max:255"]), trust)
    aa = next(v for v in result.verdicts if v.check == "active_authentication")
    assert (aa.status.value, aa.reason) == ("INVALID", "INTERNAL AUTHENTICATE failed (9000)")
    assert result.overall.value == "INVALID"


@pytest.mark.parametrize("quirks,extended,block,apdus", [
    ([], True, 65536, 1), (["no-extended"], False, 223, 3), (["max-apdu:255"], False, 223, 3),
    (["le256-refused"], False, 223, 3), (["max-apdu:2000"], True, 1024, 2),
])
def test_probe_reports_what_the_pair_carries(quirks, extended, block, apdus):
    from cardkit.icao.probe import probe

    card = make_reader_card(IMAGE, quirks=quirks)
    report = probe(InProcessConnection(card, name="probe"))
    assert (report.extended, report.block, report.apdus, report.atr_extended) == (extended, block, apdus, True)
    assert report.card_access == len(IMAGE.mf_files[0x011C])
