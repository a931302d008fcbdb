# SPDX-License-Identifier: Apache-2.0
"""Basic Access Control, terminal side (ICAO 9303-11 §4.3, worked example App. D).

A function of a ``send`` callable and the MRZ key; returns the 3DES :class:`SmState`. The
terminal's random values can be injected so the ICAO example replays byte for byte.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from cardkit.apdu import CommandApdu, ResponseApdu, StatusWord
from cardkit.errors import AccessError, WrongKeyError
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, TDES, pad
from cardkit.icao.keys import MrzKey
from cardkit.icao.sm import SmState

Send = Callable[[CommandApdu], ResponseApdu]

GET_CHALLENGE = CommandApdu(0x00, 0x84, 0x00, 0x00, le=8)


def bac(
    send: Send,
    key: MrzKey,
    *,
    rnd_ifd: bytes | None = None,
    k_ifd: bytes | None = None,
) -> SmState:
    """Run BAC mutual authentication (9303-11 §4.3.3) and return the session's SM state."""
    seed = key.key_seed()
    k_enc = TDES.kdf(seed, KDF_ENC)
    k_mac = TDES.kdf(seed, KDF_MAC)

    resp = send(GET_CHALLENGE)
    if not resp.ok or len(resp.data) != 8:
        raise AccessError(f"GET CHALLENGE failed ({resp.sw:04X})", step="GET CHALLENGE", sw=resp.sw)
    rnd_ic = resp.data

    rnd_ifd = rnd_ifd if rnd_ifd is not None else secrets.token_bytes(8)
    k_ifd = k_ifd if k_ifd is not None else secrets.token_bytes(16)
    s = rnd_ifd + rnd_ic + k_ifd
    e_ifd = TDES.encrypt(k_enc, s)
    m_ifd = TDES.mac(k_mac, pad(e_ifd, 8))

    resp = send(CommandApdu(0x00, 0x82, 0x00, 0x00, e_ifd + m_ifd, le=40))
    if resp.sw in (StatusWord.SECURITY_STATUS_NOT_SATISFIED, StatusWord.WARNING_VERIFICATION_FAILED) or (
        resp.sw & 0xFFF0 == 0x63C0
    ):
        raise WrongKeyError("the card rejected the MRZ key (BAC)", step="EXTERNAL AUTHENTICATE", sw=resp.sw)
    if resp.sw == StatusWord.INS_NOT_SUPPORTED:
        raise AccessError("the card does not support BAC (EXTERNAL AUTHENTICATE: 6D00); use PACE",
                          step="EXTERNAL AUTHENTICATE", sw=resp.sw)
    if not resp.ok:
        raise AccessError(f"EXTERNAL AUTHENTICATE failed ({resp.sw:04X})", step="EXTERNAL AUTHENTICATE", sw=resp.sw)
    if len(resp.data) != 40:
        raise AccessError("EXTERNAL AUTHENTICATE response has the wrong length", step="EXTERNAL AUTHENTICATE")
    e_ic, m_ic = resp.data[:32], resp.data[32:]
    if not hmac.compare_digest(TDES.mac(k_mac, pad(e_ic, 8)), m_ic):
        raise AccessError("the card's BAC cryptogram MAC does not verify", step="EXTERNAL AUTHENTICATE")
    r = TDES.decrypt(k_enc, e_ic)
    if r[:8] != rnd_ic or r[8:16] != rnd_ifd:
        raise AccessError("the card's BAC nonces do not match", step="EXTERNAL AUTHENTICATE")
    k_ic = r[16:32]
    k_seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=False))
    ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")  # 9303-11 §9.8.2
    return SmState(TDES, TDES.kdf(k_seed, KDF_ENC), TDES.kdf(k_seed, KDF_MAC), ssc)
