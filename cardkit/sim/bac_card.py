# SPDX-License-Identifier: Apache-2.0
"""Card side of BAC (ICAO 9303-11 §4.3.3): GET CHALLENGE and EXTERNAL AUTHENTICATE."""

from __future__ import annotations

import hmac

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, TDES, pad
from cardkit.icao.sm import SmState
from cardkit.sim.chip_state import Chip


class BacCardHandler:
    def handle(self, card: Chip, cmd: CommandApdu) -> ResponseApdu:
        if cmd.ins == 0x84:
            if cmd.le != 8 or cmd.p1 or cmd.p2:
                return ResponseApdu(b"", SW.WRONG_LENGTH if cmd.le != 8 else SW.INCORRECT_P1P2)
            card.state.rnd_ic = card.rng(8)
            return ResponseApdu(card.state.rnd_ic, SW.SUCCESS)
        return self._external_authenticate(card, cmd)

    def _external_authenticate(self, card: Chip, cmd: CommandApdu) -> ResponseApdu:
        key = card.config.mrz_key
        rnd_ic = card.state.rnd_ic
        card.state.rnd_ic = None  # one try per challenge
        if key is None or not card.config.bac_enabled:
            return ResponseApdu(b"", SW.INS_NOT_SUPPORTED)
        if rnd_ic is None:
            return ResponseApdu(b"", SW.CONDITIONS_NOT_SATISFIED)
        if len(cmd.data) != 40:
            return ResponseApdu(b"", SW.WRONG_LENGTH)
        seed = key.key_seed()
        k_enc, k_mac = TDES.kdf(seed, KDF_ENC), TDES.kdf(seed, KDF_MAC)
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if not hmac.compare_digest(TDES.mac(k_mac, pad(e_ifd, 8)), m_ifd):
            return ResponseApdu(b"", SW.WARNING_VERIFICATION_FAILED)
        s = TDES.decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic_echo, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic_echo != rnd_ic:
            return ResponseApdu(b"", SW.WARNING_VERIFICATION_FAILED)
        k_ic = card.rng(16)
        e_ic = TDES.encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = TDES.mac(k_mac, pad(e_ic, 8))
        k_seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=False))
        ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        card.establish(SmState(TDES, TDES.kdf(k_seed, KDF_ENC), TDES.kdf(k_seed, KDF_MAC), ssc))
        return ResponseApdu(e_ic + m_ic, SW.SUCCESS)
