# SPDX-License-Identifier: Apache-2.0
"""Card side of Active Authentication (ICAO 9303-11 §6.1): INTERNAL AUTHENTICATE.

RSA keys sign with ISO/IEC 9796-2 scheme 1, partial message recovery: F = 6A || M1 || H(M1 ||
M2) || trailer, M1 a fresh nonce filling the modulus, s = F^d: what real chips answer and every
reader accepts. The alternative form min(F^d, n - F^d) (9796-2 §B.6), which some readers reject,
only with the ``aa-min-form`` fault (``CardConfig.aa_min_form``).
EC keys sign M2 with ECDSA and answer plain ``r || s`` (BSI TR-03111 §5.2.1).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW

if TYPE_CHECKING:
    from cardkit.sim.card import SimCard
    from cardkit.sim.image import CardImage

_ECDSA_HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                 "sha384": hashes.SHA384, "sha512": hashes.SHA512}
_PLAIN_OID_HASH = {"0.4.0.127.0.7.1.1.4.1.1": "sha1", "0.4.0.127.0.7.1.1.4.1.2": "sha224",
                   "0.4.0.127.0.7.1.1.4.1.3": "sha256", "0.4.0.127.0.7.1.1.4.1.4": "sha384",
                   "0.4.0.127.0.7.1.1.4.1.5": "sha512"}
# ISO/IEC 10118-3 hash identifiers for the 9796-2 trailer ``xx CC``; SHA-1 uses ``BC``.
_TRAILER_ID = {"sha224": 0x38, "sha256": 0x34, "sha384": 0x36, "sha512": 0x35}


def sign_9796_2(
    key: rsa.RSAPrivateKey, m2: bytes, nonce: bytes | None = None, *, hash_name: str = "sha1", min_form: bool = False
) -> bytes:
    """ISO/IEC 9796-2 scheme 1 signature with partial recovery of M = M1 || M2; ``min_form``
    answers min(s, n - s) instead of s."""
    nums = key.private_numbers()
    n, d = nums.public_numbers.n, nums.d
    k = (n.bit_length() + 7) // 8
    trailer = b"\xbc" if hash_name == "sha1" else bytes([_TRAILER_ID[hash_name], 0xCC])
    size = hashlib.new(hash_name).digest_size
    m1_len = k - 1 - size - len(trailer)
    m1 = nonce[:m1_len] if nonce is not None and len(nonce) >= m1_len else hashlib.shake_256(
        (nonce or b"") + m2).digest(m1_len)
    f = int.from_bytes(b"\x6a" + m1 + hashlib.new(hash_name, m1 + m2).digest() + trailer, "big")
    if n.bit_length() % 8 != 0 and f >= n:  # modulus not byte-aligned: shift (9796-2 §B.4)
        raise ValueError("modulus sizes that are not a multiple of 8 bits are not supported")
    s = pow(f, d, n)
    return (min(s, n - s) if min_form else s).to_bytes(k, "big")


def sign_ecdsa_plain(key: ec.EllipticCurvePrivateKey, m2: bytes, hash_name: str = "sha256") -> bytes:
    size = (key.curve.key_size + 7) // 8
    r, s = decode_dss_signature(key.sign(m2, ec.ECDSA(_ECDSA_HASHES[hash_name]())))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


class AaCardHandler:
    """Answers INTERNAL AUTHENTICATE (INS 88) with the AA private key; None for other INS."""

    def __init__(self, private_key: object, *, hash_name: str | None = None, rsa_hash: str = "sha1") -> None:
        if isinstance(private_key, (bytes, str)):
            data = private_key.encode("ascii") if isinstance(private_key, str) else private_key
            private_key = serialization.load_pem_private_key(data, None)
        self.key = private_key
        self.hash_name = hash_name or "sha256"
        self.rsa_hash = rsa_hash

    @classmethod
    def from_image(cls, image: CardImage) -> AaCardHandler | None:
        """From card.json (``aa_private_key_pem``, ``aa_signature_algorithm``); None without a key."""
        pem = image.meta.get("aa_private_key_pem")
        if not pem:
            return None
        return cls(pem, hash_name=_PLAIN_OID_HASH.get(image.meta.get("aa_signature_algorithm") or "", "sha256"))

    def handle(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu | None:
        if cmd.ins != 0x88:
            return None
        if card.state.df == "app" and not card.state.access:
            return ResponseApdu(b"", SW.SECURITY_STATUS_NOT_SATISFIED)
        if cmd.p1 or cmd.p2:
            return ResponseApdu(b"", SW.INCORRECT_P1P2)
        if len(cmd.data) != 8:
            return ResponseApdu(b"", SW.WRONG_LENGTH)
        limit = card.config.aa_le_max
        if limit is not None and (cmd.le or 256) > limit:  # a chip seen in the field: 9000 and nothing
            return ResponseApdu(b"", SW.SUCCESS)
        return ResponseApdu(self.sign(cmd.data, card.rng, min_form=card.config.aa_min_form), SW.SUCCESS)

    def sign(self, m2: bytes, rng=None, *, min_form: bool = False) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            k = (self.key.key_size + 7) // 8
            return sign_9796_2(self.key, m2, rng(k) if rng else None, hash_name=self.rsa_hash, min_form=min_form)
        assert isinstance(self.key, ec.EllipticCurvePrivateKey)
        return sign_ecdsa_plain(self.key, m2, self.hash_name)
