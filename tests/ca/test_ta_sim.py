# SPDX-License-Identifier: Apache-2.0
"""EAC Terminal Authentication v1 and v2, terminal against the simulated chip (sim.ta_card):
DG3/DG4 open only after TA (and, in v2, the Chip Authentication with the announced key)."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError
from cardkit.icao.bac import bac
from cardkit.icao.ca import chip_authentication
from cardkit.icao.cvc import CertRole, compressed, parse_cv_certificate
from cardkit.icao.domain import standardized
from cardkit.icao.keys import MrzKey, check_digit
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.security_infos import (
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PaceInfo,
    build_security_infos,
    parse_security_infos,
)
from cardkit.icao.oids import Oid
from cardkit.icao.pace import pace
from cardkit.icao.ta import TaVersion, TerminalCredentials, terminal_and_chip_authentication, terminal_authentication
from cardkit.sim.ca_card import CaCardConfig, CaCardHandler
from cardkit.sim.card import CardConfig, SimCard
from cardkit.sim.cv_issuer import issue, make_eac_pki
from cardkit.sim.image import CardImage
from cardkit.sim.pace_card import PaceCardHandler
from cardkit.sim.ta_card import TaCardConfig, TaCardHandler
from cardkit.tlv import encode_tlv

MRZ = MrzKey.create("C01X00T47", "900101", "300101")
DOM = standardized(13)
SK_IC = 0x7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D
DG3, DG4 = b"\x63\x03fingerprints", b"\x76\x03iris"
CARD_ACCESS = build_security_infos([PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13)])
INFOS = parse_security_infos(build_security_infos(
    [ChipAuthenticationPublicKeyInfo(Oid.PK_ECDH, DOM, DOM.public_key(SK_IC)),
     ChipAuthenticationInfo(Oid.CA_ECDH_AES_CBC_CMAC_128, 1)]
))
SELECT_APPLET = CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))
PKI = make_eac_pki()


def make_card(pki=PKI) -> SimCard:
    image = CardImage(
        {DataGroup.COM.fid: b"\x60\x00", 0x0103: DG3, 0x0104: DG4},
        {DataGroup.CARD_ACCESS.fid: CARD_ACCESS},
        {},
    )
    doc = MRZ.document_number
    ta = TaCardHandler(TaCardConfig(pki.cvca.certificate, document_number=doc + check_digit(doc)))
    return SimCard(image, CardConfig(mrz_key=MRZ), handlers=[PaceCardHandler(), CaCardHandler(CaCardConfig(SK_IC)), ta])


class Channel:
    """The terminal's protected channel to the simulated card."""

    def __init__(self, card: SimCard):
        self.card, self.sm = card, None

    def raw(self, cmd: CommandApdu) -> ResponseApdu:
        return ResponseApdu.decode(self.card.transmit(cmd.encode()))

    def __call__(self, cmd: CommandApdu) -> ResponseApdu:
        return self.sm.unprotect(self.raw(self.sm.protect(cmd)))

    def read(self, fid: int) -> int | bytes:
        resp = self(CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if not resp.ok:
            return resp.sw
        return self(CommandApdu(0x00, 0xB0, 0, 0, le=256)).data


def open_pace(card: SimCard) -> tuple[Channel, object]:
    ch = Channel(card)
    (info,) = parse_security_infos(CARD_ACCESS).pace_infos
    result = pace(ch.raw, MRZ, info)
    ch.sm = result.sm
    assert ch(SELECT_APPLET).ok
    return ch, result


def creds(pki=PKI) -> TerminalCredentials:
    return TerminalCredentials((pki.dv.certificate, pki.terminal.certificate), pki.terminal.terminal_key())


def test_without_terminal_authentication_dg3_and_dg4_stay_protected():
    ch, _ = open_pace(make_card())
    ch.sm = chip_authentication(ch, INFOS)
    assert (ch.read(0x0103), ch.read(0x0104)) == (0x6982, 0x6982)
    assert ch.read(DataGroup.COM.fid) == b"\x60\x00"


def test_ta_v2_then_ca_opens_dg3_and_dg4():
    ch, result = open_pace(make_card())
    ch.sm = terminal_and_chip_authentication(
        ch, creds(), INFOS, pace_domain=result.domain, pace_chip_key=result.chip_ephemeral_public_key
    )
    assert (ch.read(0x0103), ch.read(0x0104)) == (DG3, DG4)


def test_ta_v2_grants_nothing_until_ca_uses_the_announced_key():
    card = make_card()
    ch, result = open_pace(card)
    sk = DOM.random_private_key()
    terminal_authentication(ch, creds(), version=TaVersion.V2,
                            id_picc=compressed(result.domain, result.chip_ephemeral_public_key),
                            ephemeral_comp=compressed(DOM, DOM.public_key(sk)))
    assert ch.read(0x0103) == 0x6982
    with pytest.raises(AccessError) as err:
        chip_authentication(ch, INFOS, private_key=DOM.random_private_key())  # another key
    assert err.value.sw == 0x6A80
    assert card.state.ta_granted == frozenset()


def test_ta_v1_after_bac_and_ca_opens_dg3_and_dg4():
    ch = Channel(make_card())
    ch.sm = bac(ch.raw, MRZ)
    assert ch(SELECT_APPLET).ok
    ch.sm = chip_authentication(ch, INFOS)
    doc = MRZ.document_number
    terminal_authentication(ch, creds(), version=TaVersion.V1, id_picc=(doc + check_digit(doc)).encode())
    assert (ch.read(0x0103), ch.read(0x0104)) == (DG3, DG4)


def test_ta_v1_before_ca_is_refused():
    ch = Channel(make_card())
    ch.sm = bac(ch.raw, MRZ)
    doc = MRZ.document_number
    with pytest.raises(AccessError) as err:
        terminal_authentication(ch, creds(), version=TaVersion.V1, id_picc=(doc + check_digit(doc)).encode())
    assert (err.value.step, err.value.sw) == ("TA EXTERNAL AUTHENTICATE", 0x6985)


def test_a_signature_by_another_key_is_refused_and_opens_nothing():
    ch, result = open_pace(make_card())
    other = issue(car="X", chr_="X", role=CertRole.TERMINAL, authorization=3, signer=None)
    forged = TerminalCredentials(creds().chain, other.terminal_key())
    with pytest.raises(AccessError) as err:
        terminal_and_chip_authentication(ch, forged, INFOS, pace_domain=result.domain,
                                         pace_chip_key=result.chip_ephemeral_public_key)
    assert (err.value.step, err.value.sw) == ("TA EXTERNAL AUTHENTICATE", 0x6300)


def test_a_chain_from_another_cvca_is_refused_at_the_first_certificate():
    ch, result = open_pace(make_card())
    with pytest.raises(AccessError) as err:
        terminal_and_chip_authentication(ch, creds(make_eac_pki()), INFOS, pace_domain=result.domain,
                                         pace_chip_key=result.chip_ephemeral_public_key)
    assert (err.value.step, err.value.sw) == ("TA PSO:Verify Certificate", 0x6300)


def test_a_tampered_certificate_is_refused():
    ch, result = open_pace(make_card())
    dv = PKI.dv.certificate
    body = dv.body.replace(b"VNDV00001", b"VNDV00002")
    tampered = TerminalCredentials((replace(dv, body=body), PKI.terminal.certificate), PKI.terminal.terminal_key())
    with pytest.raises(AccessError) as err:
        terminal_and_chip_authentication(ch, tampered, INFOS, pace_domain=result.domain,
                                         pace_chip_key=result.chip_ephemeral_public_key)
    assert (err.value.step, err.value.sw) == ("TA PSO:Verify Certificate", 0x6300)


def test_an_expired_terminal_certificate_is_refused():
    pki = make_eac_pki(terminal_expiration=date(2025, 12, 31))  # before the CVCA's effective date
    ch, result = open_pace(make_card(pki))
    with pytest.raises(AccessError) as err:
        terminal_and_chip_authentication(ch, creds(pki), INFOS, pace_domain=result.domain,
                                         pace_chip_key=result.chip_ephemeral_public_key)
    assert (err.value.step, err.value.sw) == ("TA PSO:Verify Certificate", 0x6300)


def test_the_effective_authorization_limits_what_opens():
    pki = make_eac_pki(terminal_authorization=0x01)  # fingerprints only
    ch, result = open_pace(make_card(pki))
    ch.sm = terminal_and_chip_authentication(ch, creds(pki), INFOS, pace_domain=result.domain,
                                             pace_chip_key=result.chip_ephemeral_public_key)
    assert (ch.read(0x0103), ch.read(0x0104)) == (DG3, 0x6982)


def test_the_bsi_worked_example_signature_is_accepted_by_the_simulated_chip():
    ex = json.loads((Path(__file__).parents[2] / "test_vectors/icao/bsi_tr03110_eac_worked_example_ecdh.json").read_text())
    ta, cv = ex["terminal_authentication"], ex["terminal_authentication"]["cv_certificates"]
    cvca, dv, term = (parse_cv_certificate(bytes.fromhex(cv[k])) for k in ("CVCA", "DV", "terminal"))
    handler = TaCardHandler(TaCardConfig(cvca))
    image = CardImage({0x0103: DG3}, {}, {})
    challenge = bytes.fromhex(ta["r_PICC_challenge"])
    card = SimCard(image, CardConfig(), handlers=[handler], rng=lambda n: challenge[:n])
    card.sm = object()  # TA needs a session; the commands go in plain here
    card.state.pace_chip_comp = bytes.fromhex(ex["pace"]["key_agreement"]["chip_public"])[1:33]
    comp = bytes.fromhex(ex["chip_authentication"]["terminal_ephemeral_public"])[1:33]
    send = lambda cmd: handler.handle(card, cmd)  # noqa: E731
    for cert in (dv, term):
        assert send(CommandApdu(0x00, 0x22, 0x81, 0xB6, encode_tlv(0x83, cert.car.encode()))).sw == 0x9000
        assert send(CommandApdu(0x00, 0x2A, 0x00, 0xBE, cert.body + encode_tlv(0x5F37, cert.signature))).sw == 0x9000
    at = encode_tlv(0x83, term.chr.encode()) + encode_tlv(0x91, comp)
    assert send(CommandApdu(0x00, 0x22, 0x81, 0xA4, at)).sw == 0x9000
    assert send(CommandApdu(0x00, 0x84, 0, 0, le=8)).data == challenge
    assert send(CommandApdu(0x00, 0x82, 0, 0, bytes.fromhex(ta["signature"]))).sw == 0x9000
    assert card.state.ta_pending_comp == comp and card.state.ta_granted == frozenset()
