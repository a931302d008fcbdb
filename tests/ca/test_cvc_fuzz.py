# SPDX-License-Identifier: Apache-2.0
"""Hostile CV certificates: length-preserving byte flips of the BSI example certificates, and
the simulated chip's PSO:Verify Certificate on them; only ParseError escapes the parser, and a
flipped certificate never verifies."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.errors import AccessError, ParseError
from cardkit.icao.cvc import parse_cv_certificate
from cardkit.icao.ta_signature import verify_signature

EX = json.loads((Path(__file__).parents[2] / "test_vectors/icao/bsi_tr03110_eac_worked_example_ecdh.json").read_text())
CV = {k: bytes.fromhex(v) for k, v in EX["terminal_authentication"]["cv_certificates"].items()}
CVCA = parse_cv_certificate(CV["CVCA"])
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _flip(base: bytes):
    return st.tuples(st.integers(0, len(base) - 1), st.integers(1, 255)).map(
        lambda t: base[: t[0]] + bytes([base[t[0]] ^ t[1]]) + base[t[0] + 1 :])


@SETTINGS
@given(_flip(CV["DV"]))
def test_a_flipped_dv_certificate_fails_to_parse_or_to_verify(data):
    try:
        cert = parse_cv_certificate(data)
    except ParseError:
        return
    assert not verify_signature(CVCA.public_key, cert.body, cert.signature)


@SETTINGS
@given(_flip(CV["CVCA"]))
def test_a_flipped_cvca_certificate_fails_to_parse_or_to_verify_itself(data):
    try:
        cert = parse_cv_certificate(data)
    except ParseError:
        return
    try:
        assert not verify_signature(cert.public_key, cert.body, cert.signature)
    except AccessError as exc:  # the flip took the key's domain parameters away: typed, refused
        assert str(exc) == "CV public key without domain parameters (no CVCA above it)"
