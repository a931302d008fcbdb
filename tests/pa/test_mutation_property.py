# SPDX-License-Identifier: Apache-2.0
"""Property: no single mutation or truncation of a valid card's EF.SOD or data groups verifies.

Every mutated card must come out INVALID or UNKNOWN_ISSUER, never VALID or NOT_CHECKED, unless
the mutation is proven harmless. The one harmless class, named here: the SignerInfo's
issuerAndSerialNumber is unsigned and only selects the certificate; a change that leaves that
issuer Name equal under RFC 5280 §7.1 comparison (letter case, string type) still selects the
same signed certificate, so the card is as genuine as before.
"""

from __future__ import annotations

from asn1crypto import cms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.verdict import Status
from cardkit.tlv import parse_single

from .conftest import NOW, Pki

PKI = Pki()
SOD, DGS = PKI.card()
TRUST = PKI.trust()
NOT_VERIFIED = (Status.INVALID, Status.UNKNOWN_ISSUER)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _content_info(sod: bytes) -> cms.ContentInfo:
    return cms.ContentInfo.load(parse_single(sod, expected_tag=0x77).value)


def only_signer_issuer_equal_under_rfc5280(mutated: bytes) -> bool:
    """True when ``mutated`` differs from SOD only in the SignerInfo issuer Name, and that Name
    compares equal to the original's under RFC 5280 §7.1."""
    try:
        orig, mut = _content_info(SOD), _content_info(mutated)
        o_sid = orig["content"]["signer_infos"][0]["sid"].chosen
        m_sid = mut["content"]["signer_infos"][0]["sid"].chosen
        if o_sid["issuer"] != m_sid["issuer"]:
            return False
        m_sid["issuer"] = o_sid["issuer"]  # put the original encoding back: the rest must be identical
        return mut.dump(force=True) == orig.dump(force=True)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return False


def flip(base: bytes):
    return st.tuples(st.integers(0, len(base) - 1), st.integers(1, 255)).map(
        lambda t: base[:t[0]] + bytes([base[t[0]] ^ t[1]]) + base[t[0] + 1:])


def truncate(base: bytes):
    return st.integers(0, len(base) - 1).map(lambda n: base[:n])


@SETTINGS
@given(st.one_of(flip(SOD), truncate(SOD)))
def test_mutated_sod_is_never_valid_or_not_checked_unless_proven_harmless(mutated):
    result = passive_authentication(mutated, DGS, TRUST, now=NOW)
    if result.overall in NOT_VERIFIED:
        return
    assert result.overall is Status.VALID, (result.overall, result.verdicts)
    assert only_signer_issuer_equal_under_rfc5280(mutated), result.verdicts


@SETTINGS
@given(st.sampled_from(sorted(DGS)).flatmap(lambda n: st.tuples(st.just(n), st.one_of(flip(DGS[n]), truncate(DGS[n])))))
def test_mutated_data_group_is_always_invalid(case):
    number, data = case
    result = passive_authentication(SOD, {**DGS, number: data}, TRUST, now=NOW)
    found = result.verdict(f"dg_hash:DG{number}")
    assert (result.overall, found.status) == (Status.INVALID, Status.INVALID)
    assert found.reason == f"sha256 hash differs from EF.SOD: DG{number} was altered or comes from another document"


def test_the_named_harmless_case_is_real_and_recognised():
    ci = _content_info(SOD)
    issuer = ci["content"]["signer_infos"][0]["sid"].chosen["issuer"]
    cn = issuer.native["common_name"]
    raw = issuer.dump()
    at = SOD.find(raw)
    assert at > 0 and SOD.count(raw) == 2  # the DS certificate's issuer (signed) and the SignerInfo's
    at = SOD.rfind(raw)  # the SignerInfo comes after the certificates
    pos = at + raw.find(cn.encode()) + 1
    mutated = SOD[:pos] + bytes([SOD[pos] ^ 0x20]) + SOD[pos + 1:]  # one letter's case
    assert passive_authentication(mutated, DGS, TRUST, now=NOW).overall is Status.VALID
    assert only_signer_issuer_equal_under_rfc5280(mutated)
    signed = SOD.find(raw) + raw.find(cn.encode()) + 1  # the same letter inside the signed certificate
    inside = SOD[:signed] + bytes([SOD[signed] ^ 0x20]) + SOD[signed + 1:]
    assert passive_authentication(inside, DGS, TRUST, now=NOW).overall in NOT_VERIFIED
    assert not only_signer_issuer_equal_under_rfc5280(inside)
