# SPDX-License-Identifier: Apache-2.0
"""Hostile bytes: only cardkit errors (CardkitError subclasses) may escape the parsers."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.errors import CardkitError
from cardkit.icao.lds.dg1 import parse_dg1
from cardkit.icao.lds.dg2 import parse_dg2
from cardkit.icao.lds.dg13 import build_dg13, parse_dg13
from cardkit.icao.lds.sod import parse_sod
from cardkit.person import PersonData, Sex
from cardkit.tlv import encode_tlv

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DG13 = build_dg13(PersonData(id_number="001090012345", full_name="Nguyễn Văn A", date_of_birth=date(1990, 1, 1),
                             sex=Sex.FEMALE, father_name="B", mother_name="C"))
DG1 = encode_tlv(0x61, encode_tlv(0x5F1F, b"IDVNM0900123450001090012345<<19001011M3001019VNM<<<<<<<<<<<2"
                                          b"NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"))
DG2_HEADER = bytes.fromhex("7F61") + bytes.fromhex("8200") + bytes.fromhex("020101 7F60 1F A10E 810102 820100 8702 0101 8802 0008 5F2E 0A 46414300 30313000 0000")


def _mutate(base: bytes):
    return st.tuples(st.integers(0, len(base) - 1), st.integers(1, 255), st.integers(0, len(base))).map(
        lambda t: (base[:t[0]] + bytes([base[t[0]] ^ t[1]]) + base[t[0] + 1:])[: max(t[2], 1)])


def _safe(parser, data: bytes) -> None:
    try:
        parser(data)
    except CardkitError:
        pass


@SETTINGS
@given(st.one_of(st.binary(max_size=300), _mutate(DG13)))
def test_dg13_parser_raises_only_cardkit_errors(data):
    _safe(lambda d: parse_dg13(d).to_person(), data)


@SETTINGS
@given(st.one_of(st.binary(max_size=120), _mutate(DG1)))
def test_dg1_parser_raises_only_cardkit_errors(data):
    _safe(lambda d: parse_dg1(d).to_person(), data)


@SETTINGS
@given(st.binary(max_size=80).map(lambda b: encode_tlv(0x75, encode_tlv(0x7F61, b))) | _mutate(DG2_HEADER))
def test_dg2_header_parser_raises_only_cardkit_errors(data):
    _safe(parse_dg2, data)


def _sod() -> bytes:
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from cardkit.icao.lds.sod import build_sod, hash_data_groups

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + timedelta(days=9))
            .sign(key, hashes.SHA256()))
    return build_sod(hash_data_groups({1: DG1, 13: DG13}), cert.public_bytes(serialization.Encoding.DER),
                     lambda d: key.sign(d, ec.ECDSA(hashes.SHA256())))


SOD = _sod()


@SETTINGS
@given(st.one_of(st.binary(max_size=400).map(lambda b: encode_tlv(0x77, b)), _mutate(SOD)))
def test_sod_parser_raises_only_cardkit_errors(data):
    def parse_and_read(d: bytes) -> None:
        sod = parse_sod(d)
        sod.document_signer
        dict(sod.dg_hashes)

    _safe(parse_and_read, data)


def test_sod_fuzz_seed_parses():
    sod = parse_sod(SOD)
    assert sorted(sod.dg_hashes) == [1, 13] and sod.document_signer is not None
