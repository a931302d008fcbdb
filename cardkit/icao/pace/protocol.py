# SPDX-License-Identifier: Apache-2.0
"""PACE v2, terminal side (ICAO 9303-11 §4.4; worked examples App. G, H, I).

A function of a ``send`` callable, the password and the chosen PACEInfo; returns a
:class:`PaceResult` whose :class:`SmState` starts with SSC 0. Commands are built in the
canonical forms of TRANSCRIPTS.md. Every public key the chip sends is validated, and the chip's
authentication token is verified before any key leaves this function.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from cardkit.apdu import CommandApdu, ResponseApdu, StatusWord
from cardkit.errors import AccessError, ParseError, WrongKeyError
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, KDF_PACE, CipherSuite, suite_named
from cardkit.icao.domain import Domain, authentication_token, standardized
from cardkit.icao.keys import MrzKey, PasswordType, SecretPassword
from cardkit.icao.lds.security_infos import PaceInfo
from cardkit.icao.oids import Oid, pace_protocol
from cardkit.icao.pace.mapping import (
    MAPPINGS,
    STEP_TOKENS,
    CamResult,
    MappingContext,
    PaceRandom,
    SystemRandom,
    receive_public_key,
)
from cardkit.icao.sm import SmState
from cardkit.tlv import encode_tlv, parse_all, parse_single

logger = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]

STEP_MSE = "MSE:Set AT"
STEP_NONCE = "GA step 1 (encrypted nonce)"
STEP_KA = "GA step 3 (key agreement)"
_MAX_NONCE = 32  # bytes: l is 256 bits at most (AES-192/256 IM, 9303-11 §4.4.3.3)
_WRONG_KEY_AT_TOKENS = {StatusWord.SECURITY_STATUS_NOT_SATISFIED, StatusWord.WRONG_DATA}


@dataclass(frozen=True)
class PaceResult:
    sm: SmState  # AES or 3DES session keys, SSC 0
    protocol: Oid
    mapping: str  # "GM", "IM", "CAM"
    key_agreement: str  # "DH", "ECDH"
    cipher: str  # "3DES", "AES-128", ...
    domain: Domain  # the static domain parameters
    chip_ephemeral_public_key: bytes  # PK_IC (wire encoding); CA / TA bind to it
    terminal_ephemeral_public_key: bytes
    cam: CamResult | None = None  # PACE-CAM: verify with the key from EF.CardSecurity


def mse_set_at(protocol: Oid, password_type: PasswordType) -> CommandApdu:
    """``00 22 C1 A4`` with DO 80 (OID) and DO 83 (password reference) (9303-11 §4.4.4.1)."""
    data = encode_tlv(0x80, protocol.der_value) + encode_tlv(0x83, bytes([int(password_type)]))
    return CommandApdu(0x00, 0x22, 0xC1, 0xA4, data)


def general_authenticate(tag: int | None, data: bytes = b"", *, last: bool = False) -> CommandApdu:
    """``10|00 86 00 00`` with dynamic authentication data ``7C`` (9303-11 §4.4.4.2)."""
    inner = encode_tlv(tag, data) if tag is not None else b""
    return CommandApdu(0x00 if last else 0x10, 0x86, 0x00, 0x00, encode_tlv(0x7C, inner), le=256)


def _is_wrong_key(sw: int) -> bool:
    return sw == StatusWord.WARNING_VERIFICATION_FAILED or sw & 0xFFF0 == 0x63C0


def _check_sw(resp: ResponseApdu, step: str) -> None:
    if resp.ok:
        return
    if _is_wrong_key(resp.sw) or (step == STEP_TOKENS and resp.sw in _WRONG_KEY_AT_TOKENS):
        raise WrongKeyError(f"the card rejected the password at {step} ({resp.sw:04X})", step=step, sw=resp.sw)
    raise AccessError(f"{step} failed ({resp.sw:04X})", step=step, sw=resp.sw)


def _dos(resp: ResponseApdu, step: str, allow_empty: bool = False) -> dict[int, bytes]:
    _check_sw(resp, step)
    if not resp.data and allow_empty:
        return {}
    try:
        outer = parse_single(resp.data, expected_tag=0x7C)
        return {do.tag: do.value for do in parse_all(outer.value)}
    except ParseError as exc:
        raise AccessError(f"{step}: malformed response ({exc})", step=step) from exc


class _Session:
    """One run of the protocol: holds ``send`` and turns GA exchanges into DO dictionaries."""

    def __init__(self, send: Send) -> None:
        self._send = send

    def exchange(self, step: str, tag: int | None, data: bytes, allow_empty: bool = False,
                 last: bool = False) -> dict[int, bytes]:
        logger.debug("PACE %s", step)
        return _dos(self._send(general_authenticate(tag, data, last=last)), step, allow_empty)


def _decrypt_nonce(suite: CipherSuite, password: MrzKey | SecretPassword, z: bytes | None) -> bytes:
    """s = D(K_pi, z) with K_pi = KDF_pi(f(pi)) (9303-11 §4.4.3.2, §9.7.3).

    s is a whole number of cipher blocks (§4.4.3.3): one for GM/CAM, two for IM with 3DES or
    AES-192/256; the mapping checks the size it needs.
    """
    if not z or len(z) % suite.block_size or len(z) > _MAX_NONCE:
        raise AccessError(f"{STEP_NONCE}: encrypted nonce missing or of the wrong size", step=STEP_NONCE)
    k_pi = suite.kdf(password.pace_secret(), KDF_PACE)
    return suite.decrypt(k_pi, z)


def _password_type(password: MrzKey | SecretPassword) -> PasswordType:
    return PasswordType.MRZ if isinstance(password, MrzKey) else password.type


def pace(
    send: Send,
    password: MrzKey | SecretPassword,
    info: PaceInfo,
    *,
    params: Domain | None = None,
    rng: PaceRandom | None = None,
    chip_public_key: bytes | None = None,
) -> PaceResult:
    """Run PACE (9303-11 §4.4.3) and return the new secure-messaging state.

    ``params`` overrides the domain parameters (explicit ones from a PACEDomainParameterInfo);
    by default the standardized ones of ``info.parameter_id``. For CAM, ``chip_public_key``
    (PK_IC from EF.CardSecurity) makes the CAM check part of the run; without it the caller
    calls ``result.cam.verify(pk_ic)`` later. Raises WrongKeyError when the card rejects the
    password, AccessError on any protocol or validation failure.
    """
    # One function (about 70 lines), on purpose: it reads as §4.4.3's steps in their order (MSE:Set AT,
    # nonce, mapping, key agreement, tokens), each a few lines, with one error translation around them.
    try:
        spec = pace_protocol(info.protocol)
    except ValueError as exc:
        raise AccessError(str(exc), step=STEP_MSE) from None
    if params is not None:
        domain = params
    elif info.parameter_id is not None:
        domain = standardized(info.parameter_id)
    else:
        raise AccessError("PACEInfo has no parameterId and no explicit domain parameters", step=STEP_MSE)
    if domain.kind != spec.key_agreement:
        raise AccessError(f"{spec.key_agreement} protocol with {domain.kind} parameters", step=STEP_MSE)
    suite = suite_named(spec.cipher)
    mapping = MAPPINGS[spec.mapping]()
    session = _Session(send)

    resp = send(mse_set_at(spec.oid, _password_type(password)))
    _check_sw(resp, STEP_MSE)

    s = _decrypt_nonce(suite, password, session.exchange(STEP_NONCE, None, b"").get(0x80))
    ctx = MappingContext(domain, suite, rng or SystemRandom(), session.exchange)
    mapped = mapping.map(ctx, s)

    # Key agreement over the mapped generator (9303-11 §4.4.3.4)
    sk = ctx.rng.private_key(mapped)
    pk_ifd = mapped.public_key(sk)
    dos = session.exchange(STEP_KA, 0x83, pk_ifd)
    pk_ic_raw, pk_ic = receive_public_key(ctx, dos, 0x84, STEP_KA, pk_ifd)
    try:
        k = mapped.agree(sk, pk_ic)
    except AccessError as exc:
        raise AccessError(str(exc), step=STEP_KA) from None
    ks_enc, ks_mac = suite.kdf(k, KDF_ENC), suite.kdf(k, KDF_MAC)

    # Mutual authentication (9303-11 §4.4.3.4): tokens over the other side's ephemeral key
    oid = spec.oid.value
    t_ifd = authentication_token(suite, ks_mac, oid, domain, pk_ic_raw)
    dos = session.exchange(STEP_TOKENS, 0x85, t_ifd, last=True)
    t_ic = dos.get(0x86)
    expected = authentication_token(suite, ks_mac, oid, domain, pk_ifd)
    if t_ic is None or not hmac.compare_digest(t_ic, expected):
        raise AccessError("the chip's authentication token does not verify", step=STEP_TOKENS)
    cam = mapping.finish(ctx, dos, ks_enc)
    if cam is not None and chip_public_key is not None:
        cam.verify(chip_public_key)
    return PaceResult(
        sm=SmState(suite, ks_enc, ks_mac, 0),
        protocol=spec.oid,
        mapping=spec.mapping,
        key_agreement=spec.key_agreement,
        cipher=spec.cipher,
        domain=domain,
        chip_ephemeral_public_key=pk_ic_raw,
        terminal_ephemeral_public_key=pk_ifd,
        cam=cam,
    )


def choose_pace_info(infos: tuple[PaceInfo, ...]) -> PaceInfo | None:
    """A supported PACEInfo to use, preferring GM ECDH AES (the CCCD's), then others."""
    order = {"GM": 0, "CAM": 1, "IM": 2}
    usable = []
    for info in infos:
        try:
            spec = pace_protocol(info.protocol)
        except ValueError:
            continue
        usable.append((order[spec.mapping], spec.key_agreement != "ECDH", info))
    usable.sort(key=lambda t: (t[0], t[1]))
    return usable[0][2] if usable else None
