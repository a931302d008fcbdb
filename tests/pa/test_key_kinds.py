# SPDX-License-Identifier: Apache-2.0
"""A signature is checked only with a key of its own kind: any other pairing is a typed error.

verify_signature matches scheme and key kind first; _verify refuses on its own too (the typed
KeyObject made that branch explicit instead of an AttributeError from the wrong key class).
"""

import pytest
from asn1crypto import algos
from cryptography.hazmat.primitives.asymmetric import ec

from cardkit.errors import VerificationError
from cardkit.icao.pa.keys import PublicKey, _verify, verify_signature

EC_KEY = ec.derive_private_key(7, ec.SECP256R1()).public_key()
PKCS1 = algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})


def test_an_rsa_scheme_with_an_ec_key_is_refused_before_verifying():
    key = PublicKey("ec", 256, "NIST256p", False, EC_KEY)
    with pytest.raises(VerificationError, match=r"^pkcs1 signature with an EC key$"):
        verify_signature(key, PKCS1, b"\x00" * 64, b"data")


def test_a_key_object_of_another_kind_than_it_claims_is_refused():
    key = PublicKey("rsa", 2048, None, False, EC_KEY)  # says RSA, holds an EC key
    with pytest.raises(VerificationError, match=r"^pkcs1 signature with an unusable RSA key$"):
        _verify(key, "pkcs1", "sha256", PKCS1, b"\x00" * 64, b"data")
