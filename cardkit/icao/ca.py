# SPDX-License-Identifier: Apache-2.0
"""Chip Authentication, terminal side (ICAO 9303-11 §6.2; BSI TR-03110-1 §3.4 CA version 1).

Runs under the current secure messaging (``send`` protects and unprotects) and returns the new
:class:`SmState` (SSC 0). The chip proves it holds the DG14 private key only implicitly: the
caller must go on reading under the returned keys, and a forged chip fails the first MAC check.

Command forms (as recorded from real passports, test_vectors/icao/chip_authentication_examples.json):
with a ChipAuthenticationInfo, ``MSE:Set AT 00 22 41 A4 {80 OID [84 keyId]}`` then
``GENERAL AUTHENTICATE 00 86 00 00 {7C {80 PK_IFD}} 00`` (3DES or AES); without one (CA v1, 3DES
implied), ``MSE:Set KAT 00 22 41 A6 {91 PK_IFD [84 keyId]}``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Literal

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, ParseError
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, TDES, CipherSuite, suite_named
from cardkit.icao.domain import DhDomain, Domain, authentication_token
from cardkit.icao.lds.security_infos import ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo, SecurityInfos
from cardkit.icao.oids import Oid, ca_protocol
from cardkit.icao.sm import SmState
from cardkit.tlv import encode_tlv, parse_single

Send = Callable[[CommandApdu], ResponseApdu]
Method = Literal["auto", "at", "kat"]

STEP_MSE_AT = "CA MSE:Set AT"
STEP_MSE_KAT = "CA MSE:Set KAT"
STEP_GA = "CA General Authenticate"


def _key_id_bytes(key_id: int) -> bytes:
    return key_id.to_bytes(max(1, (key_id.bit_length() + 7) // 8), "big")


def select_ca(infos: SecurityInfos,
              key_id: int | None = None) -> tuple[ChipAuthenticationInfo | None, ChipAuthenticationPublicKeyInfo]:
    """The CA protocol and public key to use: ECDH before DH, matching keyId when given."""
    cas = [i for i in infos.ca_infos if key_id is None or i.key_id in (key_id, None)]
    cas.sort(key=lambda i: ca_protocol(i.protocol).key_agreement != "ECDH")
    for info in cas:
        if ca_protocol(info.protocol).cipher is None:
            continue
        key = infos.ca_public_key(info)
        if key is not None:
            return info, key
    keys = [k for k in infos.ca_public_keys if key_id is None or k.key_id == key_id]
    if not keys:
        raise AccessError("no Chip Authentication public key in DG14", step=STEP_MSE_AT)
    return None, keys[0]  # no ChipAuthenticationInfo: CA v1 with 3DES (9303-11 §6.2)


def _check(resp: ResponseApdu, step: str) -> None:
    if not resp.ok:
        raise AccessError(f"{step} failed ({resp.sw:04X})", step=step, sw=resp.sw)


def chip_authentication(
    send: Send,
    infos: SecurityInfos,
    *,
    key_id: int | None = None,
    private_key: int | None = None,
    method: Method = "auto",
) -> SmState:
    """Run Chip Authentication with the DG14 key; return the new SM state (SSC 0).

    ``send`` must be the caller's protected channel. ``private_key`` injects the terminal's
    ephemeral key (tests); ``method`` forces MSE:Set KAT ("kat") or MSE:Set AT + GA ("at").
    """
    info, key = select_ca(infos, key_id)
    domain = key.domain
    if info is not None:
        spec = ca_protocol(info.protocol)
        suite = suite_named(spec.cipher or "3DES")
        if (spec.key_agreement == "DH") != isinstance(domain, DhDomain):
            raise AccessError("CA protocol and public key disagree on DH/ECDH", step=STEP_MSE_AT)
    else:
        suite = TDES
    pk_ic = domain.decode_public(key.public_key)
    sk = private_key if private_key is not None else domain.random_private_key()
    pk_ifd = domain.public_key(sk)
    kid = key_id if key_id is not None else (info.key_id if info is not None else key.key_id)
    kid_do = encode_tlv(0x84, _key_id_bytes(kid)) if kid is not None else b""

    use_kat = method == "kat" or (method == "auto" and info is None)
    if use_kat:  # 9303-11 §6.2.4.1: MSE:Set KAT, 3DES only
        if suite is not TDES:
            raise AccessError("MSE:Set KAT is defined for 3DES only", step=STEP_MSE_KAT)
        _check(send(CommandApdu(0x00, 0x22, 0x41, 0xA6, encode_tlv(0x91, pk_ifd) + kid_do)), STEP_MSE_KAT)
    else:  # 9303-11 §6.2.4.2: MSE:Set AT + General Authenticate
        default = Oid.CA_DH_3DES_CBC_CBC if isinstance(domain, DhDomain) else Oid.CA_ECDH_3DES_CBC_CBC
        oid = info.protocol if info is not None else default
        _check(send(CommandApdu(0x00, 0x22, 0x41, 0xA4, encode_tlv(0x80, oid.der_value) + kid_do)), STEP_MSE_AT)
        resp = send(CommandApdu(0x00, 0x86, 0x00, 0x00, encode_tlv(0x7C, encode_tlv(0x80, pk_ifd)), le=256))
        _check(resp, STEP_GA)
        dos = _ga_dos(resp)
        if 0x81 in dos:  # CA v2 (TR-03110-2 §3.4.1, -3 §B.11.2): nonce r_PICC and token T_PICC
            return _ca2_keys(suite, domain.agree(sk, pk_ic), dos, oid.value, domain, pk_ifd)
    k = domain.agree(sk, pk_ic)  # 9303-11 §6.2.3: K = KA(SK_IFD, PK_IC)
    return SmState(suite, suite.kdf(k, KDF_ENC), suite.kdf(k, KDF_MAC), 0)


def _ga_dos(resp: ResponseApdu) -> dict[int, bytes]:
    if not resp.data:
        return {}
    try:
        return {do.tag: do.value for do in parse_single(resp.data, expected_tag=0x7C).children()}
    except ParseError as exc:
        raise AccessError(f"{STEP_GA}: malformed response ({exc})", step=STEP_GA) from exc


def _ca2_keys(suite: CipherSuite, k: bytes, dos: dict[int, bytes], oid: str, domain: Domain, pk_ifd: bytes) -> SmState:
    """KS = KDF(K || r_PICC, counter); T_PICC = MAC(KS_mac, 7F49 {06 oid, PK_PCD}) must match."""
    nonce, token = dos[0x81], dos.get(0x82)
    ks_enc, ks_mac = suite.kdf(k + nonce, KDF_ENC), suite.kdf(k + nonce, KDF_MAC)
    if token is None or not hmac.compare_digest(token, authentication_token(suite, ks_mac, oid, domain, pk_ifd)):
        raise AccessError("the chip's CA authentication token does not verify", step=STEP_GA)
    return SmState(suite, ks_enc, ks_mac, 0)
