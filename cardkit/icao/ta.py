# SPDX-License-Identifier: Apache-2.0
"""EAC Terminal Authentication, terminal side (BSI TR-03110-1 §B.3 v1, TR-03110-2 §3.3 v2;
APDUs TR-03110-3 §B.11 and ICAO 9303-11 §7.1).

Steps, each sent through the caller's protected ``send``:

1. for each certificate of the chain (DV, terminal; a CVCA link certificate first if the card
   needs one): MSE:Set DST ``00 22 81 B6`` {83 CAR}, PSO:Verify Certificate ``00 2A 00 BE``
   {7F4E body, 5F37 signature};
2. MSE:Set AT ``00 22 81 A4`` {83 CHR of the terminal certificate; v2 also 91 Comp(PK_PCD) of the
   ephemeral key the following Chip Authentication will use, and 67 auxiliary data};
3. GET CHALLENGE ``00 84 00 00 08``: r_PICC;
4. EXTERNAL AUTHENTICATE ``00 82 00 00`` {signature over ID_PICC || r_PICC [|| Comp(PK_PCD) || aux]}.

ID_PICC is the document number with its check digit (BAC, v1) or Comp() of the chip's PACE
ephemeral key (v2 after PACE, TR-03110-2 §3.3). v1 runs after Chip Authentication, v2 before it;
:func:`terminal_and_chip_authentication` runs v2 then CA with the announced key.

A self-signed CVCA certificate at the head of the chain is the chip's trust point: it is never
sent (the chip holds its root from personalisation, TR-03110-3 §2.5; only link certificates are
imported). A refusal raises :class:`TaError` naming the step, the status word and the certificate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, InputError, ParseError
from cardkit.icao.ca import chip_authentication, select_ca
from cardkit.icao.cvc import CvCertificate, compressed, parse_cv_certificate
from cardkit.icao.domain import Domain
from cardkit.icao.lds.mrz import check_digit
from cardkit.icao.lds.security_infos import SecurityInfos
from cardkit.icao.oids import encode_oid
from cardkit.icao.sm import SmState
from cardkit.icao.ta_signature import TerminalKey
from cardkit.tlv import encode_tlv

logger = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]

STEP_DST = "TA MSE:Set DST"
STEP_CERT = "TA PSO:Verify Certificate"
STEP_AT = "TA MSE:Set AT"
STEP_CHALLENGE = "TA GET CHALLENGE"
STEP_EXTERNAL = "TA EXTERNAL AUTHENTICATE"


class TaError(AccessError):
    """The chip refused a step of Terminal Authentication; ``certificate`` is the CHR of the
    certificate being imported when the refusal came at step 1, else None."""

    def __init__(self, message: str, *, step: str, sw: int | None = None, certificate: str | None = None) -> None:
        super().__init__(message, step=step, sw=sw)
        self.certificate = certificate


class TaVersion(IntEnum):
    V1 = 1  # EAC 1.11: after BAC + Chip Authentication
    V2 = 2  # EAC 2: after PACE, before Chip Authentication


@dataclass(frozen=True)
class TerminalCredentials:
    """A terminal certificate chain (issuer first, terminal last) and the terminal's key."""

    chain: tuple[CvCertificate, ...]
    key: TerminalKey

    @property
    def terminal(self) -> CvCertificate:
        return self.chain[-1]

    @property
    def to_send(self) -> tuple[CvCertificate, ...]:
        """The chain without a self-signed root: that is the chip's trust point, never imported."""
        return self.chain[1:] if self.chain[0].is_self_signed and len(self.chain) > 1 else self.chain

    @property
    def authorization(self) -> int:
        """The effective relative authorization: the AND of every CHAT (TR-03110-3 §C.4)."""
        bits = 0xFF
        for cert in self.chain:
            bits &= cert.authorization[-1]
        return bits

    @classmethod
    def load(cls, cert_paths: list[Path], key_path: Path) -> TerminalCredentials:
        """Certificates (binary 7F21 files, issuer first) and a PKCS#8 key; InputError if unreadable."""
        try:
            chain = tuple(parse_cv_certificate(p.read_bytes()) for p in cert_paths)
            key_data = key_path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read terminal credentials: {exc}") from None
        except ParseError as exc:
            raise InputError(f"terminal certificate is not a CV certificate: {exc}") from None
        if not chain:
            raise InputError("no terminal certificate given")
        return cls(chain, TerminalKey.load(key_data, chain[-1].public_key.algorithm))


def _check(resp: ResponseApdu, step: str, certificate: str | None = None) -> None:
    if not resp.ok:
        about = f" for {certificate}" if certificate else ""
        raise TaError(f"{step} failed ({resp.sw:04X}){about}", step=step, sw=resp.sw, certificate=certificate)


def id_picc_v1(document_number: str) -> bytes:
    """TA v1's ID_PICC: the MRZ document number field (9 characters, ``<`` filled) and its check
    digit (TR-03110-1 §B.3 / ICAO 9303-3 §4.2.2)."""
    doc = document_number.ljust(9, "<")
    return (doc + check_digit(doc)).encode("ascii")


def send_chain(send: Send, chain: tuple[CvCertificate, ...]) -> None:
    """Step 1: every certificate, each announced by its CAR (TR-03110-3 §B.11.4, §B.11.5)."""
    for cert in chain:
        _check(send(CommandApdu(0x00, 0x22, 0x81, 0xB6, encode_tlv(0x83, cert.car.encode()))), STEP_DST, cert.chr)
        body_and_sig = cert.body + encode_tlv(0x5F37, cert.signature)
        _check(send(CommandApdu(0x00, 0x2A, 0x00, 0xBE, body_and_sig)), STEP_CERT, cert.chr)


def signed_data(id_picc: bytes, r_picc: bytes, ephemeral_comp: bytes = b"", aux: bytes = b"") -> bytes:
    """What the terminal signs: ID_PICC || r_PICC (v1); || Comp(PK_PCD) || aux (v2)."""
    return id_picc + r_picc + ephemeral_comp + aux


def terminal_authentication(
    send: Send,
    creds: TerminalCredentials,
    *,
    version: TaVersion,
    id_picc: bytes,
    ephemeral_comp: bytes = b"",
    aux: bytes = b"",
) -> None:
    """Run TA; raise AccessError naming the step the card refused."""
    if version is TaVersion.V2 and not ephemeral_comp:
        raise AccessError("TA v2 needs the compressed ephemeral key of the following CA", step=STEP_AT)
    send_chain(send, creds.to_send)
    dos = encode_tlv(0x83, creds.terminal.chr.encode())
    if version is TaVersion.V2:
        algorithm = encode_oid(creds.terminal.public_key.algorithm.value)  # the mechanism: id-TA-*
        dos = encode_tlv(0x80, algorithm) + dos + (encode_tlv(0x67, aux) if aux else b"")
        dos += encode_tlv(0x91, ephemeral_comp)
    _check(send(CommandApdu(0x00, 0x22, 0x81, 0xA4, dos)), STEP_AT)
    resp = send(CommandApdu(0x00, 0x84, 0x00, 0x00, b"", le=8))
    _check(resp, STEP_CHALLENGE)
    if len(resp.data) != 8:
        raise TaError(f"{STEP_CHALLENGE}: {len(resp.data)} bytes instead of 8", step=STEP_CHALLENGE)
    data = signed_data(id_picc, resp.data, ephemeral_comp if version is TaVersion.V2 else b"", aux)
    _check(send(CommandApdu(0x00, 0x82, 0x00, 0x00, creds.key.sign(data))), STEP_EXTERNAL)
    logger.debug("terminal authentication v%d done", int(version))


def terminal_and_chip_authentication(
    send: Send,
    creds: TerminalCredentials,
    infos: SecurityInfos,
    *,
    pace_domain: Domain,
    pace_chip_key: bytes,
    private_key: int | None = None,
) -> SmState:
    """EAC 2 order (TR-03110-2 §3.3, §3.4): TA v2 announcing Comp(PK_PCD), then Chip
    Authentication with that same ephemeral key; returns the chip-authenticated SM state."""
    sk, comp = ca_ephemeral(infos, private_key)
    terminal_authentication(
        send, creds, version=TaVersion.V2, id_picc=compressed(pace_domain, pace_chip_key), ephemeral_comp=comp
    )
    return chip_authentication(send, infos, private_key=sk)


def ca_ephemeral(infos: SecurityInfos, private_key: int | None = None) -> tuple[int, bytes]:
    """The terminal's ephemeral CA key and its Comp(), which TA v2 announces (TR-03110-2 §3.3)."""
    _, key = select_ca(infos)
    sk = private_key if private_key is not None else key.domain.random_private_key()
    return sk, compressed(key.domain, key.domain.public_key(sk))
