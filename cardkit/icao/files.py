# SPDX-License-Identifier: Apache-2.0
"""Selecting and reading elementary files (ICAO 9303-10 §3.10, ISO/IEC 7816-4 §11.2).

Never requires SELECT MF (the CCCD refuses it). READ BINARY starts at 223 bytes (the largest
plaintext that fits a short response under 3DES and AES SM, CCCD.md "Field realities"), goes
larger when card and reader both take extended length, and steps down on ``6700``, ``6Cxx``,
``6B00`` and an empty ``6282``. Offsets above 32767 use the odd-INS ``B1`` form with DO'54'.
"""

from __future__ import annotations

import logging
from typing import Callable

from cardkit.apdu import CommandApdu, ResponseApdu, StatusWord as SW
from cardkit.errors import ApduError, ParseError
from cardkit.tlv import encode_tlv, parse_single, total_length

logger = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
Progress = Callable[[int, int | None], None]  # (bytes read, total or None)

EMRTD_AID = bytes.fromhex("A0000002471001")
SHORT_BLOCK = 223
EXTENDED_BLOCK = 1024
_STEPS = (223, 160, 128, 96, 64, 32, 16, 8, 4, 1)
MAX_FILE_SIZE = 1 << 20  # no LDS file comes near 1 MiB; a larger claim is a hostile card
MAX_READS = 4096


class FileNotFoundOnCard(ApduError):
    message_vi = "Thẻ không có tệp này."


class FileProtected(ApduError):
    message_vi = "Tệp được bảo vệ (cần xác thực thiết bị đầu cuối)."


def _raise_for(resp: ResponseApdu, what: str) -> None:
    if resp.sw == SW.FILE_NOT_FOUND:
        raise FileNotFoundOnCard(f"{what}: file not found", sw=resp.sw)
    if resp.sw == SW.SECURITY_STATUS_NOT_SATISFIED:
        raise FileProtected(f"{what}: access denied (6982)", sw=resp.sw)
    raise ApduError(f"{what}: card returned {resp.sw:04X}", sw=resp.sw, data=resp.data)


class FileReader:
    def __init__(self, send: Send, *, extended: bool = False, use_sfi: bool = True) -> None:
        self.send = send
        self.block = EXTENDED_BLOCK if extended else SHORT_BLOCK
        self.use_sfi = use_sfi

    def select_applet(self, aid: bytes = EMRTD_AID) -> None:
        resp = self.send(CommandApdu(0x00, 0xA4, 0x04, 0x0C, aid))
        if not resp.ok:
            _raise_for(resp, "SELECT eMRTD application")

    def select_ef(self, fid: int) -> None:
        resp = self.send(CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
        if not resp.ok:
            _raise_for(resp, f"SELECT {fid:04X}")

    def _read(self, offset: int, le: int, sfi: int | None) -> ResponseApdu:
        if sfi is not None:  # ISO/IEC 7816-4 §7.2.2: P1 = 100xxxxx selects by SFI, P2 = offset
            return self.send(CommandApdu(0x00, 0xB0, 0x80 | sfi, offset, le=le))
        if offset <= 0x7FFF:
            return self.send(CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=le))
        do54 = encode_tlv(0x54, offset.to_bytes(3 if offset > 0xFFFF else 2, "big"))
        resp = self.send(CommandApdu(0x00, 0xB1, 0x00, 0x00, do54, le=le + 4 if le < 252 else le))
        if resp.data:  # response data in DO'53'
            do = parse_single(resp.data, expected_tag=0x53, allow_trailing=False)
            return ResponseApdu(do.value, resp.sw)
        return resp

    def _step_down(self, current: int, hint: int | None = None) -> int:
        if hint and 0 < hint < current:
            return hint
        for step in _STEPS:
            if step < current:
                return step
        raise ApduError("card refuses every READ BINARY length", sw=SW.WRONG_LENGTH)

    def read_file(self, fid: int, sfi: int | None = None, progress: Progress | None = None) -> bytes:
        """Read a whole transparent EF that holds one BER-TLV (an LDS file)."""
        use_sfi = self.use_sfi and sfi is not None and sfi <= 0x1E
        if not use_sfi:
            self.select_ef(fid)
        buf = bytearray()
        total: int | None = None
        block = self.block
        first = True
        for _ in range(MAX_READS):
            want = block if total is None else min(block, total - len(buf))
            resp = self._read(len(buf), want, sfi if (use_sfi and first) else None)
            sw = resp.sw
            if first and use_sfi and sw in (SW.INCORRECT_P1P2, SW.FUNCTION_NOT_SUPPORTED, SW.INS_NOT_SUPPORTED):
                use_sfi = False  # card without SFI support: select by FID instead
                self.select_ef(fid)
                continue
            if sw == SW.SUCCESS or (sw == SW.WARNING_END_OF_FILE and resp.data):
                first = False
                if not resp.data:
                    break
                buf += resp.data
            elif sw >> 8 == 0x6C or sw in (SW.WRONG_LENGTH, SW.WARNING_END_OF_FILE) or (
                sw == SW.WRONG_P1P2 and (total is None or len(buf) < total)
            ):
                if sw == SW.WRONG_P1P2 and total is None and buf:
                    break  # end of a file whose length we could not learn
                if sw == SW.WRONG_P1P2 and want <= _STEPS[-3]:
                    break  # offset itself refused: the file is shorter than its header claims
                block = self._step_down(want, (sw & 0xFF or 256) if sw >> 8 == 0x6C else None)
                logger.debug("READ BINARY %04X: %04X, block now %d", fid, sw, block)
                continue
            else:
                _raise_for(resp, f"READ BINARY {fid:04X}")
            if total is None:
                total = total_length(bytes(buf))
                if total is not None and total > MAX_FILE_SIZE:
                    raise ParseError(f"file claims {total} bytes", what=f"EF {fid:04X}", offset=0)
            if progress is not None:
                progress(len(buf), total)
            if total is not None and len(buf) >= total:
                break
            if len(resp.data) < want and total is None:
                break
        else:
            raise ApduError(f"READ BINARY {fid:04X}: too many reads", sw=0)
        if total is not None and len(buf) < total:
            raise ParseError(f"file ended after {len(buf)} of {total} bytes", what=f"EF {fid:04X}", offset=len(buf))
        return bytes(buf[:total] if total is not None else buf)
