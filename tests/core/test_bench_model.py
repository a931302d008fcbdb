# SPDX-License-Identifier: Apache-2.0
"""The modelled read benchmark (cli.bench_model): exact arithmetic on a known trace, and a real
run whose baselines really read the way they claim (no timing asserted)."""

import tempfile

import pytest

from cardkit.cli.bench_model import Exchange, Trace, model, profiles, read_once
from cardkit.sim.pki import TestPki
from cardkit.transport.link import LinkModel
from cardkit.trustdir import load_trust_store


def test_model_of_a_known_trace():
    trace = Trace([Exchange(10, 2, False), Exchange(7, 258, True), Exchange(7, 100, True)], identity_at=(2, 0.001))
    link = LinkModel(bitrate=100_000, t_apdu=0.005)
    m = model(trace, 0.002, 300, link)
    t0 = 0.005 + 8 * (13 + 5) / 100_000
    t1 = 0.005 + 8 * (10 + 264) / 100_000 + 0.0003
    t2 = 0.005 + 8 * (10 + 103) / 100_000
    assert m["modelled_ms"] == pytest.approx((t0 + t1 + t2 + 0.002) * 1e3)
    assert m["floor_ms"] == pytest.approx((8 * 300 / 100_000 + t0) * 1e3)
    assert m["ratio"] == pytest.approx((t0 + t1 + t2 + 0.002) / (8 * 300 / 100_000 + t0))
    assert m["time_to_identity_ms"] == pytest.approx((t0 + t1 + 0.001) * 1e3)


@pytest.fixture(scope="module")
def trust():
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


@pytest.fixture(scope="module")
def cccd():
    name, image, access = profiles()[0]
    assert name == "cccd-20k-face" and len(image.app_files[0x0102]) >= 20_000
    return image, access


def _file_exchanges(trace):
    return sum(e.file for e in trace.exchanges)


def test_the_select_per_file_baseline_reads_223_bytes_after_a_select(cccd, trust):
    image, access = cccd
    trace, _, overall, _ = read_once(image, access, trust, "223+select")
    ours, _, ours_overall, file_bytes = read_once(image, access, trust, "cardkit")
    assert overall == ours_overall == "VALID"
    read = [fid for fid in (0x011E, 0x011D, 0x0101, 0x0102, 0x010D, 0x010E, 0x010F)]
    sizes = [len(image.app_files[f]) for f in read] + [len(image.mf_files[0x011C])]
    # every file: one SELECT + ceil(size / 223) READ BINARYs; DG3 (protected): its refused SELECT
    assert _file_exchanges(trace) == sum(1 + -(-n // 223) for n in sizes) + 1
    assert file_bytes == sum(sizes)
    assert _file_exchanges(ours) < _file_exchanges(trace) / 5


def test_the_160_byte_baseline_reads_160_bytes(cccd, trust):
    image, access = cccd
    trace, _, overall, _ = read_once(image, access, trust, "160")
    sizes = [len(image.app_files[f]) for f in (0x011E, 0x011D, 0x0101, 0x0102, 0x010D, 0x010E, 0x010F)]
    sizes.append(len(image.mf_files[0x011C]))
    assert overall == "VALID"
    assert _file_exchanges(trace) == sum(-(-n // 160) for n in sizes) + 1  # + DG3's refused READ


def test_the_returning_card_row_reads_everything_but_dg2_dg14_dg15_from_the_chip(cccd, trust):
    from cardkit.cli.bench_model import _returning

    image, access = cccd
    first, _, first_overall, first_bytes = read_once(image, access, trust, "cardkit")
    back, _, overall, file_bytes = _returning(image, access, trust)
    assert first_overall == overall == "VALID"
    assert first_bytes - file_bytes == sum(len(image.app_files[f]) for f in (0x0102, 0x010E, 0x010F))
    # DG2 (20 KB) with extended length: a first READ of 4096 bytes, the rest in one more; DG14
    # and DG15 one READ each; EF.COM, read after CA, is the CA proof (no re-read on either read)
    assert _file_exchanges(first) - _file_exchanges(back) == 4
    assert len(first.exchanges) - len(back.exchanges) == 4
