# SPDX-License-Identifier: Apache-2.0
"""Card side of PACE v2 (ICAO 9303-11 §4.4): MSE:Set AT and General Authenticate steps 1-4.

GM (ECDH and DH), IM (ECDH and DH; 3DES, AES-128/192/256) and CAM (ECDH, with a static key pair from
:class:`PaceCardConfig`). The protocols offered are the PACEInfos of the card's EF.CardAccess
(or :attr:`PaceCardConfig.protocols`). A wrong password shows as a token that does not verify
at step 4: the card answers ``6300`` and opens no session. On success it switches to the new
secure messaging after the step-4 response (``card.establish``).

Uses only the shared primitives (:mod:`cardkit.icao.domain`, :mod:`cardkit.icao.crypto`),
never the terminal-side handshake.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.errors import CardkitError, ParseError
from cardkit.icao.crypto import (
    KDF_ENC,
    KDF_MAC,
    KDF_PACE,
    CipherSuite,
    pad,
    suite_named,
)
from cardkit.icao.cvc import compressed
from cardkit.icao.domain import (
    Domain,
    EcDomain,
    authentication_token,
    standardized,
)
from cardkit.icao.keys import PasswordType
from cardkit.icao.lds.security_infos import parse_security_infos
from cardkit.icao.oids import Oid, decode_oid, pace_protocol
from cardkit.icao.prf import chip_nonce_size, pseudo_random, terminal_nonce_size
from cardkit.icao.sm import SmState
from cardkit.sim.card import R
from cardkit.tlv import encode_tlv, parse_all, parse_single

if TYPE_CHECKING:
    from cardkit.sim.card import SimCard



@dataclass
class PaceCardConfig:
    protocols: dict[Oid, int] | None = None  # protocol -> parameter id; None: from EF.CardAccess
    pin: str | None = None
    puk: str | None = None
    cam_private_key: int | None = None  # SK_IC for PACE-CAM (public key in EF.CardSecurity)


@dataclass
class _Run:
    """One PACE run on the card, from MSE:Set AT to the step-4 answer."""

    oid: Oid
    mapping: str
    suite: CipherSuite
    domain: Domain
    secret: bytes  # f(pi)
    step: int = 1
    s: bytes = b""
    mapped: Domain | None = None
    pk_ifd: bytes = b""
    pk_ic: bytes = b""
    ks: tuple[bytes, bytes] = (b"", b"")
    ca_ic: int | None = None
    extra: dict = field(default_factory=dict)


class PaceCardHandler:
    def __init__(self, config: PaceCardConfig | None = None) -> None:
        self.config = config or PaceCardConfig()
        self.run: _Run | None = None

    # -- dispatch -----------------------------------------------------------------------
    def handle(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu | None:
        if cmd.ins == 0x22 and (cmd.p1, cmd.p2) == (0xC1, 0xA4):
            return self._mse(card, cmd)
        if cmd.ins == 0x86 and self.run is not None:
            try:
                return self._general_authenticate(card, cmd)
            except (CardkitError, KeyError, ValueError):  # invalid key, malformed data: run over
                self.run = None
                return R(SW.WRONG_DATA)
        return None

    def _offered(self, card: SimCard) -> dict[Oid, int]:
        if self.config.protocols is not None:
            return dict(self.config.protocols)
        try:
            infos = parse_security_infos(card.card_access or b"")
        except ParseError:
            return {}
        return {i.protocol: i.parameter_id for i in infos.pace_infos if i.parameter_id is not None}

    def _secret(self, card: SimCard, ref: int) -> bytes | None:
        cfg = card.config
        if ref == PasswordType.MRZ and cfg.mrz_key is not None:
            return cfg.mrz_key.pace_secret()
        values = {PasswordType.CAN: cfg.can, PasswordType.PIN: self.config.pin, PasswordType.PUK: self.config.puk}
        value = values.get(ref)
        return value.encode("ascii") if value else None

    def _mse(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        """ICAO 9303-11 §4.4.4.1: DO 80 protocol, DO 83 password reference, DO 84 optional."""
        self.run = None
        try:
            dos = {do.tag: do.value for do in parse_all(cmd.data)}
            oid = Oid.lookup(decode_oid(dos[0x80]))
            ref = dos[0x83]
        except (ParseError, KeyError):
            return R(SW.WRONG_DATA)
        offered = self._offered(card)
        if oid is None or oid not in offered or len(ref) != 1:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        secret = self._secret(card, ref[0])
        if secret is None:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        spec = pace_protocol(oid)
        pid = int.from_bytes(dos[0x84], "big") if 0x84 in dos else offered[oid]
        if spec.mapping == "CAM" and self.config.cam_private_key is None:
            return R(SW.REFERENCE_DATA_NOT_FOUND)
        self.run = _Run(oid, spec.mapping, suite_named(spec.cipher), standardized(pid), secret)
        return R(SW.SUCCESS)

    def _general_authenticate(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu:
        run = self.run
        assert run is not None
        last = run.step == 4
        if bool(cmd.cla & 0x10) == last:  # steps 1-3 chain (CLA 10), step 4 does not
            self.run = None
            return R(SW.CONDITIONS_NOT_SATISFIED)
        outer = parse_single(cmd.data, expected_tag=0x7C)
        dos = {do.tag: do.value for do in parse_all(outer.value)}
        step = {1: self._nonce, 2: self._map, 3: self._agree, 4: self._tokens}[run.step]
        resp = step(card, run, dos)
        run.step += 1
        return resp

    # -- the four steps -------------------------------------------------------------------
    def _nonce(self, card: SimCard, run: _Run, dos: dict) -> ResponseApdu:
        """§4.4.3.3: z = E(K_pi, s); s is one block, or l bits for IM (two blocks for 3DES, AES-192/256)."""
        size = chip_nonce_size(run.suite) if run.mapping == "IM" else run.suite.block_size
        run.s = card.rng(size)
        k_pi = run.suite.kdf(run.secret, KDF_PACE)
        return _ga(0x80, run.suite.encrypt(k_pi, run.s))

    def _private_key(self, card: SimCard, domain: Domain) -> int:
        order = domain.order or (1 << 256)
        return int.from_bytes(card.rng((order.bit_length() + 7) // 8 + 8), "big") % (order - 1) + 1

    def _map(self, card: SimCard, run: _Run, dos: dict) -> ResponseApdu:
        """§4.4.3.3: GM / CAM (chip mapping key) or IM (terminal nonce t)."""
        dom = run.domain
        if run.mapping == "IM":
            t = dos[0x81]
            if len(t) != terminal_nonce_size(run.suite):
                raise ValueError("terminal nonce of the wrong size")
            run.mapped = dom.integrated_map(pseudo_random(run.suite, run.s, t, dom.p))
            return _ga(0x82, b"")
        pk_map_ifd = dom.decode_public(dos[0x81])
        sk_map = self._private_key(card, dom)
        if run.mapping == "CAM":  # §4.4.3.5: PK_Map,IC = CA_IC * PK_IC, CA_IC = SK_Map,IC / SK_IC
            run.ca_ic = sk_map * pow(self.config.cam_private_key, -1, dom.order) % dom.order
        run.mapped = dom.generic_map(int.from_bytes(run.s, "big"), dom.multiply(sk_map, pk_map_ifd))
        return _ga(0x82, dom.public_key(sk_map))

    def _agree(self, card: SimCard, run: _Run, dos: dict) -> ResponseApdu:
        """§4.4.3.4: ephemeral key pair over the mapped generator, K, KS_enc, KS_mac."""
        mapped = run.mapped
        assert mapped is not None
        run.pk_ifd = dos[0x83]
        peer = mapped.decode_public(run.pk_ifd)
        sk = self._private_key(card, mapped)
        run.pk_ic = mapped.public_key(sk)
        k = mapped.agree(sk, peer)
        run.ks = (run.suite.kdf(k, KDF_ENC), run.suite.kdf(k, KDF_MAC))
        return _ga(0x84, run.pk_ic)

    def _tokens(self, card: SimCard, run: _Run, dos: dict) -> ResponseApdu:
        """§4.4.3.4: check T_IFD (a wrong password fails here: 6300), answer T_IC."""
        self.run = None
        ks_enc, ks_mac = run.ks
        oid = run.oid.value
        expected = authentication_token(run.suite, ks_mac, oid, run.domain, run.pk_ic)
        if not hmac.compare_digest(dos.get(0x85, b""), expected):
            return R(SW.WARNING_VERIFICATION_FAILED)
        body = encode_tlv(0x86, authentication_token(run.suite, ks_mac, oid, run.domain, run.pk_ifd))
        if run.ca_ic is not None:  # §4.4.3.5.1: A_IC = E(KS_enc, CA_IC), IV = E(KS_enc, -1)
            size = run.domain.field_size if isinstance(run.domain, EcDomain) else 32
            iv = run.suite.encrypt_block(ks_enc, b"\xff" * run.suite.block_size)
            plain = pad(run.ca_ic.to_bytes(size, "big"), run.suite.block_size)
            body += encode_tlv(0x8A, run.suite.encrypt(ks_enc, plain, iv))
        card.establish(SmState(run.suite, ks_enc, ks_mac, 0))
        card.state.pace_chip_comp = compressed(run.mapped or run.domain, run.pk_ic)  # ID_PICC of TA v2
        return R(SW.SUCCESS, encode_tlv(0x7C, body))


def _ga(tag: int, value: bytes) -> ResponseApdu:
    return R(SW.SUCCESS, encode_tlv(0x7C, encode_tlv(tag, value)))
