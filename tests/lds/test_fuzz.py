# SPDX-License-Identifier: Apache-2.0
"""Hostile bytes: only cardkit errors (CardkitError subclasses) may escape the parsers.

Mutations keep the length (bytes flipped, a run overwritten, two bytes swapped), so the outer
length checks pass and the inner structures are reached. They are seeded with real published
files (../shared/conformance: JMRTD, pymrtd, gmrtd, ICAO 9303-10 examples, ISO 39794-5) and
with the simulator's CCCD files. Truncations are a separate strategy.
"""

from __future__ import annotations

import functools
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SHARED

from cardkit.errors import CardkitError
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.parsers import parse_file
from cardkit.icao.lds.security_infos import parse_security_infos
from cardkit.icao.lds.sod import parse_sod

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REAL = {  # published file -> the EF it is
    "jmrtd_bsi2008/DG1.bin": DataGroup.DG1, "jmrtd_bsi2008/DG2.bin": DataGroup.DG2,
    "jmrtd_bsi2008/DG14.bin": DataGroup.DG14, "jmrtd_bsi2008/DG15.bin": DataGroup.DG15,
    "jmrtd_bsi2008/EF_COM.bin": DataGroup.COM, "jmrtd_bsi2008/EF_SOD.bin": DataGroup.SOD,
    "jmrtd_loes2006/DG15.bin": DataGroup.DG15, "jmrtd_loes2006/EF_SOD.bin": DataGroup.SOD,
    "pymrtd_bsi_tr03105_5/EF_SOD.bin": DataGroup.SOD, "pymrtd_bsi_tr03105_5/DG14.bin": DataGroup.DG14,
    "gmrtd_passive_auth/FR_EF_SOD.bin": DataGroup.SOD, "gmrtd_passive_auth/ID_EF_SOD.bin": DataGroup.SOD,
    "icao_9303_p10_examples/DG11_A5.bin": DataGroup.DG11, "icao_9303_p10_examples/DG16_A6.bin": DataGroup.DG16,
    "icao_9303_p10_examples/EF_COM.bin": DataGroup.COM, "icao_9303_p10_examples/DG1_TD2_ERIKSSON.bin": DataGroup.DG1,
    "iso39794_5/DG2_ISO39794-5_MandatoryFields.bin": DataGroup.DG2,
}
CARD_ACCESS = ("gmrtd_de_passport/EF_CardAccess.bin", "bsi_eac_worked_example/ecdh_EF_CardAccess.bin",
               "bsi_eac_worked_example/dh_EF_CardAccess.bin")


@functools.cache
def seeds() -> tuple[tuple[DataGroup, bytes], ...]:
    """Every seed file; a missing ../shared fails the test (a fuzz test that silently shrinks
    to nothing is a regression nobody sees)."""
    from cardkit.sim.issuer import personalise
    from cardkit.sim.pki import TestPki
    from cardkit.sim.population import person

    folder = SHARED / "conformance"
    assert folder.is_dir(), f"conformance samples not found at {folder}"
    real = [(dg, (folder / name).read_bytes()) for name, dg in REAL.items()]
    image = personalise(person("nguyen-van-an").data(), pki=TestPki(tempfile.mkdtemp()), seed=3)
    by_fid = {dg.fid: dg for dg in DataGroup if dg not in (DataGroup.CARD_ACCESS, DataGroup.CARD_SECURITY)}
    cccd = [(by_fid[fid], data) for fid, data in sorted(image.app_files.items()) if by_fid[fid] is not DataGroup.DG3]
    return tuple(real + cccd)


def _flip(base: bytes) -> st.SearchStrategy[bytes]:
    n = len(base)
    flips = st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 255)), min_size=1, max_size=4)
    return flips.map(lambda fs: functools.reduce(lambda b, f: b[:f[0]] + bytes([b[f[0]] ^ f[1]]) + b[f[0] + 1:], fs, base))


def _overwrite(base: bytes) -> st.SearchStrategy[bytes]:
    n = len(base)
    return st.tuples(st.integers(0, n - 1), st.binary(min_size=1, max_size=8)).map(
        lambda t: (base[:t[0]] + t[1] + base[t[0] + len(t[1]):])[:n])


def _swap(base: bytes) -> st.SearchStrategy[bytes]:
    n = len(base)

    def swap(i: int, j: int) -> bytes:
        b = bytearray(base)
        b[i], b[j] = b[j], b[i]
        return bytes(b)
    return st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(lambda t: swap(*t))


@st.composite
def mutated(draw, truncate: bool = False) -> tuple[DataGroup, bytes]:
    dg, base = draw(st.sampled_from(seeds()))
    if truncate:
        return dg, base[: draw(st.integers(0, len(base) - 1))]
    data = draw(st.one_of(_flip(base), _overwrite(base), _swap(base)))
    assert len(data) == len(base)
    return dg, data


def _parse_all_of(dg: DataGroup, data: bytes) -> None:
    """Parse and touch everything a caller uses (asn1crypto parses lazily)."""
    result = parse_file(dg, data)
    if dg is DataGroup.SOD:
        result.document_signer  # type: ignore[attr-defined]
        dict(result.dg_hashes)  # type: ignore[attr-defined]
    elif hasattr(result, "to_person"):
        result.to_person()
    elif dg is DataGroup.DG14:
        infos = result.infos if hasattr(result, "infos") else result  # type: ignore[attr-defined]
        for info in getattr(infos, "pace_infos", ()):
            infos.pace_domain(info)


def _only_cardkit_errors(dg: DataGroup, data: bytes) -> None:
    try:
        _parse_all_of(dg, data)
    except CardkitError:
        pass


@SETTINGS
@given(mutated())
def test_length_preserving_mutations_raise_only_cardkit_errors(case):
    _only_cardkit_errors(*case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(truncate=True))
def test_truncations_raise_only_cardkit_errors(case):
    _only_cardkit_errors(*case)


@SETTINGS
@given(st.sampled_from(CARD_ACCESS).flatmap(lambda name: _flip((SHARED / "conformance" / name).read_bytes())))
def test_card_access_mutations_raise_only_cardkit_errors(data):
    try:
        infos = parse_security_infos(data)
        for info in infos.pace_infos:
            infos.pace_domain(info)
    except CardkitError:
        pass


def test_every_seed_parses_unmutated():
    kinds = set()
    for dg, data in seeds():
        _parse_all_of(dg, data)
        kinds.add(dg)
    assert kinds >= {DataGroup.COM, DataGroup.SOD, DataGroup.DG1, DataGroup.DG2, DataGroup.DG11, DataGroup.DG13,
                     DataGroup.DG14, DataGroup.DG15, DataGroup.DG16}
    assert sorted(parse_sod(dict((dg.name, d) for dg, d in seeds()[-6:])["SOD"]).dg_hashes) == [1, 2, 3, 13, 14, 15]
