# SPDX-License-Identifier: Apache-2.0
"""Card side of EAC Terminal Authentication v1 and v2 (BSI TR-03110-1 §B.3, -2 §3.3, -3 §B.11).

The card holds a trust point (the CVCA certificate), imports the chain with MSE:Set DST +
PSO:Verify Certificate, and checks the terminal's signature after GET CHALLENGE. Only then does
it open DG3/DG4, as far as the effective authorization (the AND of every CHAT in the chain)
allows: v1 at once (Chip Authentication already ran), v2 once the following Chip
Authentication uses the ephemeral key announced in MSE:Set AT. Without TA both stay 6982.

The card's notion of today is the latest effective date of a verified CVCA / domestic DV
certificate (TR-03110-3 §2.5), starting at the trust point's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.errors import CardkitError, ParseError
from cardkit.icao.cvc import (
    READ_DG3,
    READ_DG4,
    CertRole,
    CvCertificate,
    CvPublicKey,
    parse_cv_certificate,
)
from cardkit.icao.domain import EcDomain
from cardkit.icao.ta_signature import verify_signature
from cardkit.sim.card import R
from cardkit.tlv import encode_tlv, parse_all

if TYPE_CHECKING:
    from cardkit.sim.card import SimCard

DG3, DG4 = 0x0103, 0x0104


@dataclass
class TaCardConfig:
    trust_point: CvCertificate  # the CVCA certificate the chip trusts
    document_number: str = ""  # ID_PICC for v1 (with its check digit)


@dataclass
class _Chain:
    keys: dict[str, CvPublicKey]  # CHR -> verified key
    domain: EcDomain | None
    today: date
    authorization: int = 0xFF  # AND of the relative authorizations seen
    selected: str | None = None  # CAR chosen by MSE:Set DST
    terminal: CvCertificate | None = None
    comp: bytes = b""  # v2: Comp(PK_PCD) from MSE:Set AT
    challenge: bytes = b""
    aux: bytes = b""  # v2: auxiliary data (67)


class TaCardHandler:
    def __init__(self, config: TaCardConfig) -> None:
        self.config = config
        self.chain = self._fresh()

    def _fresh(self) -> _Chain:
        tp = self.config.trust_point
        return _Chain({tp.chr: tp.public_key}, tp.public_key.domain, tp.effective, tp.authorization[-1])

    def handle(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu | None:
        key = (cmd.ins, cmd.p1, cmd.p2)
        if key in ((0x22, 0x81, 0xB6), (0x2A, 0x00, 0xBE), (0x22, 0x81, 0xA4)) or cmd.ins in (0x84, 0x82):
            if card.sm is None:
                return R(SW.SECURITY_STATUS_NOT_SATISFIED)
            try:
                return self._dispatch(card, cmd, key)
            except (CardkitError, KeyError, ValueError):
                self.chain = self._fresh()
                return R(SW.WRONG_DATA)
        return None

    def _dispatch(self, card: SimCard, cmd: CommandApdu, key: tuple[int, int, int]) -> ResponseApdu:
        if key == (0x22, 0x81, 0xB6):
            return self._set_dst(card, cmd)
        if key == (0x2A, 0x00, 0xBE):
            return self._verify_certificate(cmd)
        if key == (0x22, 0x81, 0xA4):
            return self._set_at(cmd)
        if cmd.ins == 0x84:
            self.chain.challenge = card.rng(8)
            return R(SW.SUCCESS, self.chain.challenge)
        return self._external_authenticate(card, cmd)

    def _set_dst(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        if card.state.ta_granted or card.state.ta_pending_comp:
            self.chain = self._fresh()
        car = {d.tag: d.value for d in parse_all(cmd.data)}[0x83].decode("ascii")
        if car not in self.chain.keys:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        self.chain.selected = car
        return R(SW.SUCCESS)

    def _verify_certificate(self, cmd: CommandApdu) -> ResponseApdu:
        """TR-03110-3 §B.11.5: signature under the selected key, dates against the card's today."""
        chain = self.chain
        if chain.selected is None:
            return R(SW.CONDITIONS_NOT_SATISFIED)
        cert = parse_cv_certificate(encode_tlv(0x7F21, cmd.data))
        issuer = chain.keys[chain.selected].with_domain(chain.domain)
        if cert.car != chain.selected or not verify_signature(issuer, cert.body, cert.signature):
            return R(SW.WARNING_VERIFICATION_FAILED)
        if cert.expiration < chain.today:
            return R(SW.WARNING_VERIFICATION_FAILED)
        if cert.cert_role in (CertRole.CVCA, CertRole.DV_DOMESTIC) and cert.effective > chain.today:
            chain.today = cert.effective
        if cert.cert_role is CertRole.CVCA and cert.public_key.domain is not None:
            chain.domain = cert.public_key.domain  # a link certificate may bring new parameters
        chain.keys[cert.chr] = cert.public_key
        chain.authorization &= cert.authorization[-1]
        chain.terminal = cert if cert.cert_role is CertRole.TERMINAL else None
        chain.selected = None
        return R(SW.SUCCESS)

    def _set_at(self, cmd: CommandApdu) -> ResponseApdu:
        dos = {d.tag: d.value for d in parse_all(cmd.data)}
        term = self.chain.terminal
        if term is None or dos.get(0x83, b"").decode("ascii") != term.chr:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        self.chain.comp = dos.get(0x91, b"")
        self.chain.aux = dos.get(0x67, b"")
        return R(SW.SUCCESS)

    def _id_picc(self, card: SimCard) -> bytes:
        """TR-03110-2 §3.3: Comp(chip's PACE ephemeral key) after PACE, else the document number."""
        return card.state.pace_chip_comp or self.config.document_number.encode("ascii")

    def _external_authenticate(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        chain, self.chain = self.chain, self._fresh()
        term = chain.terminal
        if term is None or not chain.challenge:
            return R(SW.CONDITIONS_NOT_SATISFIED)
        v2 = bool(chain.comp)
        if v2 == bool(card.state.ca_done):  # v2 runs before CA, v1 after it
            return R(SW.CONDITIONS_NOT_SATISFIED)
        data = self._id_picc(card) + chain.challenge + (chain.comp + chain.aux if v2 else b"")
        key = term.public_key.with_domain(chain.domain)
        if not verify_signature(key, data, cmd.data):
            return R(SW.WARNING_VERIFICATION_FAILED)
        granted = {fid for fid, bit in ((DG3, READ_DG3), (DG4, READ_DG4)) if chain.authorization & bit}
        if v2:
            card.state.ta_pending = frozenset(granted)
            card.state.ta_pending_comp = chain.comp
        else:
            card.state.ta_granted = frozenset(granted)
        return R(SW.SUCCESS)


def parse_trust_point(data: bytes) -> CvCertificate:
    cert = parse_cv_certificate(data)
    if not cert.is_self_signed and cert.public_key.domain is None:
        raise ParseError("a trust point needs its own domain parameters", what="CVCA")
    return cert
