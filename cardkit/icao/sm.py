# SPDX-License-Identifier: Apache-2.0
"""Secure messaging (ICAO 9303-11 §9.8), both directions.

One :class:`SmState` holds the cipher suite, KS_enc, KS_mac and the send sequence counter; BAC
and PACE return one, Chip Authentication replaces it. The terminal uses :meth:`SmState.protect`
and :meth:`SmState.unprotect`; the simulated card uses the mirror pair
:meth:`SmState.unprotect_command` and :meth:`SmState.protect_response`. The SSC is incremented
once before each command is protected and once before each response is verified.

A response's MAC is verified before any of its data is decrypted or used.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import ParseError, SecureMessagingError
from cardkit.icao.crypto import CipherSuite, pad, unpad
from cardkit.tlv import encode_tlv, parse_all

SM_CLA = 0x0C


@dataclass
class _Dos:
    """The data objects of a protected APDU (ICAO 9303-11 §9.8.5), split up."""

    cipher: bytes | None = None  # DO'87' value without the 01 indicator, or DO'85' value
    le: bytes | None = None  # DO'97' value (commands)
    sw: bytes | None = None  # DO'99' value (responses)
    mac: bytes = b""  # DO'8E' value (_split_dos refuses a protected APDU without one)
    mac_input: bytes = b""  # the DOs the MAC covers, as encoded


def _split_dos(data: bytes, allowed: tuple[int, ...], what: str) -> _Dos:
    try:
        dos = parse_all(data)
    except ParseError as exc:
        raise SecureMessagingError(f"malformed protected {what}: {exc}") from exc
    out = _Dos()
    mac: bytes | None = None
    for do in dos:
        if do.tag not in allowed:
            raise SecureMessagingError(f"unexpected data object {do.tag:X} in protected {what}")
        if do.tag == 0x8E:
            mac = do.value
            continue
        out.mac_input += do.encode()
        if do.tag == 0x85:
            out.cipher = do.value
        elif do.tag == 0x87:
            if not do.value or do.value[0] != 0x01:
                raise SecureMessagingError("DO'87' without padding-content indicator 01")
            out.cipher = do.value[1:]
        elif do.tag == 0x97:
            out.le = do.value
        else:
            out.sw = do.value
    if mac is None:
        raise SecureMessagingError(f"protected {what} without MAC (DO'8E')")
    out.mac = mac
    return out


@dataclass
class SmState:
    suite: CipherSuite
    ks_enc: bytes
    ks_mac: bytes
    ssc: int = 0

    # -- shared helpers -------------------------------------------------------------
    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.suite.ssc_size, "big")

    def _mac(self, data: bytes) -> bytes:
        return self.suite.mac(self.ks_mac, pad(self._ssc_bytes() + data, self.suite.block_size))

    def _encrypt(self, data: bytes) -> bytes:
        iv = self.suite.sm_iv(self.ks_enc, self.ssc)
        return self.suite.encrypt(self.ks_enc, pad(data, self.suite.block_size), iv)

    def _decrypt(self, data: bytes) -> bytes:
        iv = self.suite.sm_iv(self.ks_enc, self.ssc)
        return unpad(self.suite.decrypt(self.ks_enc, data, iv))

    def _decrypt_do(self, cipher: bytes | None, what: str) -> bytes:
        if cipher is None:
            return b""
        try:
            return self._decrypt(cipher)
        except ValueError as exc:
            raise SecureMessagingError(f"cannot decrypt {what}: {exc}") from exc

    def _cipher_do(self, ins: int, data: bytes) -> bytes:
        if not data:
            return b""
        enc = self._encrypt(data)
        if ins & 1:  # odd INS (e.g. READ BINARY B1): DO'85', plain BER-TLV value (§9.8.5)
            return encode_tlv(0x85, enc)
        return encode_tlv(0x87, b"\x01" + enc)

    # -- terminal side ----------------------------------------------------------------
    def protect(self, cmd: CommandApdu) -> CommandApdu:
        """Wrap a plain command (ICAO 9303-11 §9.8.6.1; TRANSCRIPTS.md canonical form)."""
        self.ssc += 1
        cla = cmd.cla | SM_CLA
        header = bytes((cla, cmd.ins, cmd.p1, cmd.p2))
        dos = self._cipher_do(cmd.ins, cmd.data)
        extended = cmd.is_extended
        if cmd.le is not None:
            if cmd.le > 256 or extended:
                le_val = (cmd.le & 0xFFFF).to_bytes(2, "big")
            else:
                le_val = bytes([cmd.le & 0xFF])
            dos += encode_tlv(0x97, le_val)
        mac = self._mac(pad(header, self.suite.block_size) + dos)
        body = dos + encode_tlv(0x8E, mac)
        extended = extended or len(body) > 255
        return CommandApdu(cla, cmd.ins, cmd.p1, cmd.p2, body, le=65536 if extended else 256, extended=extended)

    def unprotect(self, resp: ResponseApdu) -> ResponseApdu:
        """Verify and unwrap a response; raise :class:`SecureMessagingError` on any doubt."""
        self.ssc += 1
        if not resp.data:
            if resp.sw == 0x9000:
                raise SecureMessagingError("card answered 9000 without secure messaging objects")
            if resp.sw in (0x6987, 0x6988):  # ICAO 9303-11 §9.8.4: the chip ended the session
                raise SecureMessagingError(f"the card rejected our secure messaging ({resp.sw:04X})")
            # An unprotected error status from a card that does not protect errors: no data to
            # trust; hand the status word up.
            return ResponseApdu(b"", resp.sw)
        dos = _split_dos(resp.data, (0x85, 0x87, 0x99, 0x8E), "response")
        if not hmac.compare_digest(self._mac(dos.mac_input), dos.mac):
            raise SecureMessagingError("response MAC does not verify: data discarded")
        if dos.sw is None or len(dos.sw) != 2:
            raise SecureMessagingError("protected response without status word (DO'99')")
        return ResponseApdu(self._decrypt_do(dos.cipher, "response"), int.from_bytes(dos.sw, "big"))

    # -- card side ------------------------------------------------------------------
    def unprotect_command(self, cmd: CommandApdu) -> CommandApdu:
        """Card side: verify and unwrap a protected command (raise on a bad MAC)."""
        self.ssc += 1
        if cmd.cla & SM_CLA != SM_CLA:
            raise SecureMessagingError("command is not protected")
        dos = _split_dos(cmd.data, (0x85, 0x87, 0x97, 0x8E), "command")
        header = bytes((cmd.cla, cmd.ins, cmd.p1, cmd.p2))
        if not hmac.compare_digest(self._mac(pad(header, self.suite.block_size) + dos.mac_input), dos.mac):
            raise SecureMessagingError("command MAC does not verify")
        le = None
        if dos.le is not None:
            le = int.from_bytes(dos.le, "big") or (256 if len(dos.le) <= 1 else 65536)
        data = self._decrypt_do(dos.cipher, "command")
        return CommandApdu(cmd.cla & ~SM_CLA & 0xFF, cmd.ins, cmd.p1, cmd.p2, data, le=le, extended=cmd.is_extended)

    def protect_response(self, resp: ResponseApdu, *, odd_ins: bool = False) -> ResponseApdu:
        """Card side: wrap a plain response (DO'87'/'85', DO'99', DO'8E')."""
        self.ssc += 1
        dos = self._cipher_do(1 if odd_ins else 0, resp.data)
        dos += encode_tlv(0x99, resp.sw.to_bytes(2, "big"))
        return ResponseApdu(dos + encode_tlv(0x8E, self._mac(dos)), 0x9000)
