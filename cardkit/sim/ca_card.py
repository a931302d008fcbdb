# SPDX-License-Identifier: Apache-2.0
"""Card side of Chip Authentication (ICAO 9303-11 §6.2): MSE:Set AT + GA, or MSE:Set KAT.

Runs only inside an existing secure-messaging session (after BAC or PACE). The new session keys
take over after the answer to the GA (or KAT), which still goes out under the old ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.errors import CardkitError, ParseError
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, TDES, suite_named
from cardkit.icao.cvc import compressed
from cardkit.icao.domain import Domain, standardized
from cardkit.icao.oids import Oid, ca_protocol, decode_oid
from cardkit.icao.sm import SmState
from cardkit.sim.card import R
from cardkit.tlv import encode_tlv, parse_all, parse_single

if TYPE_CHECKING:
    from cardkit.sim.card import SimCard



@dataclass
class CaCardConfig:
    private_key: int  # SK_IC of the DG14 ChipAuthenticationPublicKeyInfo
    domain: Domain = standardized(13)
    protocols: tuple[Oid, ...] = (Oid.CA_ECDH_AES_CBC_CMAC_128,)
    key_id: int | None = None

    @property
    def public_key(self) -> bytes:
        return self.domain.public_key(self.private_key)


class CaCardHandler:
    def __init__(self, config: CaCardConfig) -> None:
        self.config = config
        self.protocol: Oid | None = None

    def handle(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu | None:
        if cmd.ins == 0x22 and (cmd.p1, cmd.p2) in ((0x41, 0xA4), (0x41, 0xA6)):
            if card.sm is None:
                return R(SW.SECURITY_STATUS_NOT_SATISFIED)
            return self._mse(card, cmd)
        if cmd.ins == 0x86 and self.protocol is not None:
            return self._general_authenticate(card, cmd)
        return None

    def _dos(self, data: bytes) -> dict[int, bytes]:
        return {do.tag: do.value for do in parse_all(data)}

    def _key_id_ok(self, dos: dict[int, bytes]) -> bool:
        if 0x84 not in dos:
            return True
        return self.config.key_id is not None and int.from_bytes(dos[0x84], "big") == self.config.key_id

    def _mse(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        self.protocol = None
        try:
            dos = self._dos(cmd.data)
        except ParseError:
            return R(SW.WRONG_DATA)
        if not self._key_id_ok(dos):
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        if cmd.p2 == 0xA6:  # MSE:Set KAT (9303-11 §6.2.4.1): 3DES, key in DO 91
            if 0x91 not in dos:
                return R(SW.WRONG_DATA)
            return self._finish(card, TDES.name, dos[0x91], R(SW.SUCCESS))
        try:
            oid = Oid.lookup(decode_oid(dos.get(0x80, b"")))
        except ParseError:
            oid = None
        if oid is None or oid not in self.config.protocols:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        self.protocol = oid
        return R(SW.SUCCESS)

    def _general_authenticate(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        oid, self.protocol = self.protocol, None
        try:
            pk = {do.tag: do.value for do in parse_single(cmd.data, expected_tag=0x7C).children()}[0x80]
        except (ParseError, KeyError):
            return R(SW.WRONG_DATA)
        cipher = ca_protocol(oid).cipher or "3DES"
        return self._finish(card, cipher, pk, R(SW.SUCCESS, encode_tlv(0x7C, b"")))

    def _finish(self, card: SimCard, cipher: str, pk_ifd: bytes, resp: ResponseApdu) -> ResponseApdu:
        """9303-11 §6.2.3: K = KA(SK_IC, PK_IFD); new keys, SSC 0, after this response."""
        dom = self.config.domain
        try:
            k = dom.agree(self.config.private_key, dom.decode_public(pk_ifd))
        except CardkitError:
            return R(SW.WRONG_DATA)
        pending = card.state.ta_pending_comp
        if pending and compressed(dom, pk_ifd) != pending:  # TR-03110-2 §3.4: the key TA announced
            return R(SW.WRONG_DATA)
        suite = suite_named(cipher)
        card.establish(SmState(suite, suite.kdf(k, KDF_ENC), suite.kdf(k, KDF_MAC), 0))
        card.state.ca_done = True
        if pending:
            card.state.ta_granted, card.state.ta_pending, card.state.ta_pending_comp = card.state.ta_pending, frozenset(), b""
        return resp
