# SPDX-License-Identifier: Apache-2.0
"""Chip and Active Authentication inside a whole read: clones are caught, never VALID."""

from __future__ import annotations

import tempfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cardkit.errors import CardkitError
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.sim.factory import make_card
from cardkit.sim.pki import TestPki
from cardkit.sim.population import builtin_card
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        return load_trust_store(tmp)


def _read(image, trust):
    return read_and_verify(InProcessConnection(make_card(image)), AccessSpec(can=cccd_can(image.meta["id"])), trust=trust)


def _status(result, check):
    return next(v.status.value for v in result.verdicts if v.check == check)


def test_genuine_card_passes_chip_and_active_authentication(trust):
    result = _read(builtin_card(), trust)
    assert _status(result, "chip_authentication") == "VALID"
    assert _status(result, "active_authentication") == "VALID"
    assert result.overall.value == "VALID"


def test_chip_authentication_with_a_wrong_chip_key_is_invalid(trust):
    image = builtin_card()
    other = ec.generate_private_key(ec.BrainpoolP256R1())
    image.meta["ca_private_key_pem"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    result = _read(image, trust)
    assert _status(result, "chip_authentication") == "INVALID"
    assert result.overall.value == "INVALID"
    assert _status(result, "sod_signature") == "VALID"  # the copied data itself is signed
    assert DataGroup.DG2 not in result.read.files  # nothing is read over a channel the chip cannot hold
    assert result.read.errors[DataGroup.DG2] == "not read: chip authentication failed"


def _verdict(result, check):
    v = next(v for v in result.verdicts if v.check == check)
    return v.status.value, v.reason


def test_clone_hiding_dg14_and_dg15_that_the_sod_lists_is_invalid(trust):
    image = builtin_card()
    for fid in (0x010E, 0x010F):
        image.app_files.pop(fid)
    result = _read(image, trust)
    assert _verdict(result, "chip_authentication") == (
        "INVALID", "possible clone: EF.SOD lists DG14 but the chip did not return it (absent (6A82))")
    assert _verdict(result, "active_authentication") == (
        "INVALID", "possible clone: EF.SOD lists DG15 but the chip did not return it (absent (6A82))")
    assert _verdict(result, "dg_hash:DG15") == (
        "INVALID", "DG15 is listed in EF.SOD but the chip did not return it: absent (6A82)")
    assert result.overall.value == "INVALID"


def test_eac_protected_dg3_is_reported_protected_and_not_required(trust):
    result = _read(builtin_card(), trust)
    assert _verdict(result, "dg_protected:DG3") == (
        "NOT_CHECKED", "DG3 is protected by Extended Access Control (6982): not read, not needed here")
    assert "dg_hash:DG3" not in result.required
    assert {"chip_authentication", "active_authentication", "access_downgrade", "dg_hash:DG15"} <= set(result.required)
    assert result.overall.value == "VALID"


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_READ_FILES = ("EF_SOD", "DG1", "DG2", "DG13", "DG14", "DG15")  # what EF.SOD binds; EF.COM is advisory


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(_READ_FILES), st.integers(0, 10**6), st.integers(1, 255), st.booleans())
def test_a_mutated_or_truncated_file_never_reads_valid_or_not_checked(trust, name, where, xor, cut):
    """Through the whole read (PACE, CA, AA, PA): any change to a signed file fails closed."""
    from cardkit.icao.lds.ef import DataGroup

    image = builtin_card()
    fid = DataGroup[name.replace("EF_", "")].fid
    data = image.app_files[fid]
    pos = where % len(data)
    if name == "EF_SOD" and _in_signer_issuer(data, pos):
        return  # the one harmless place (RFC 5280 name comparison): see tests/pa/test_mutation_property.py
    image.app_files[fid] = data[:pos] if cut else data[:pos] + bytes([data[pos] ^ xor]) + data[pos + 1:]
    try:
        result = _read(image, trust)
    except CardkitError:
        return  # the read refused with a typed error: never shown as verified
    assert result.overall.value in ("INVALID", "UNKNOWN_ISSUER"), result.verdicts


def _in_signer_issuer(sod: bytes, pos: int) -> bool:
    from asn1crypto import cms

    from cardkit.tlv import parse_single

    ci = cms.ContentInfo.load(parse_single(sod, expected_tag=0x77).value)
    raw = ci["content"]["signer_infos"][0]["sid"].chosen["issuer"].dump()
    at = sod.rfind(raw)
    return at <= pos < at + len(raw)
