# SPDX-License-Identifier: Apache-2.0
"""Selecting and reading elementary files (ICAO 9303-10 §3.10, ISO/IEC 7816-4 §11.2).

Never requires SELECT MF (the CCCD refuses it). Files are read by short EF identifier (no
SELECT). With extended length (card and reader both) a file's first READ BINARY asks for 4096
bytes (most LDS files whole; the first bytes give the length) and the rest comes in one READ of up
to 65536; else 223 bytes a READ (the largest plaintext that fits a short response under 3DES and
AES SM, CCCD.md "Field realities"). It steps down on ``6700``, ``6Cxx``, ``6B00`` and an empty
``6282`` (65536, 16384, 4096, 1024, then 223, 160 ...). Offsets above 32767 use the odd-INS ``B1``
form with DO'54'.

Extended length is probed once, by the session's first READ BINARY (EF.CardAccess, before any
secure messaging, so a refusal cannot touch the SM counter): Le 65536, then 1024 (or the length a
``6Cxx`` names); a ``6700`` to both, or a transport refusal, means this reader + card pair reads
with short APDUs. What was learned (extended or
not, the block that worked) is remembered per reader name + ATR for the life of the process, so
the next card on the same desk starts at the right size without probing. A step-down under SM
answers with a protected error, which both sides count: the counter stays in step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.errors import ApduError, CardRemovedError, ParseError, TransportError
from cardkit.tlv import encode_tlv, parse_single, total_length

logger = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
Progress = Callable[[int, int | None], None]  # (bytes read, total or None)

EMRTD_AID = bytes.fromhex("A0000002471001")
SHORT_BLOCK = 223
EXTENDED_BLOCK = 65536  # Le '0000': the whole file in one response
_EXTENDED_STEPS = (65536, 16384, 4096, 1024)
FIRST_READ = 4096  # a file's first READ BINARY: most LDS files whole, DG2's length and first part
_PROBE_STEPS = {65536: 1024}  # the probe tries the whole file, then 1024, then short APDUs
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


@dataclass(frozen=True)
class LinkLimits:
    """What one reader + card pair was found to carry."""

    extended: bool
    block: int


_LEARNED: dict[tuple[str, bytes], LinkLimits] = {}


def learned_limits(reader: str, atr: bytes) -> LinkLimits | None:
    return _LEARNED.get((reader, bytes(atr)))


def forget_learned() -> None:
    """Drop what was learned about every reader (tests; a reader swapped under the same name)."""
    _LEARNED.clear()


class FileReader:
    def __init__(
        self, send: Send, *, extended: bool = False, use_sfi: bool = True, key: tuple[str, bytes] | None = None
    ) -> None:
        self.send = send
        self.key = key
        known = _LEARNED.get(key) if key is not None else None
        if known is not None:
            extended = extended and known.extended
        self.extended = extended
        self.block = known.block if known is not None and extended == known.extended else (
            EXTENDED_BLOCK if extended else SHORT_BLOCK)
        self.probing = extended and key is not None and known is None  # the session's first READ BINARY tells
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
        for step in (_EXTENDED_STEPS + _STEPS) if self.extended else _STEPS:
            if step < current:
                return step
        raise ApduError("card refuses every READ BINARY length", sw=SW.WRONG_LENGTH)

    def _probe_refused(self, fid: int, sw: int | None) -> int:
        """The first (plain) READ BINARY came back refused: no extended length on this pair."""
        self.probing, self.extended, self.block = False, False, SHORT_BLOCK
        logger.debug("READ BINARY %04X: extended length refused (%s): short APDUs", fid,
                     "transport" if sw is None else f"{sw:04X}")
        return SHORT_BLOCK

    def _send_read(self, fid: int, offset: int, want: int, sfi: int | None) -> ResponseApdu | None:
        """One READ BINARY; None when the probe was refused by the reader (transport level)."""
        try:
            return self._read(offset, want, sfi)
        except CardRemovedError:
            raise
        except TransportError:
            if not self.probing:
                raise
            self._probe_refused(fid, None)
            return None

    def _remember(self) -> None:
        if self.key is not None:
            _LEARNED[self.key] = LinkLimits(self.extended, self.block)

    def read_file(self, fid: int, sfi: int | None = None, progress: Progress | None = None) -> bytes:
        """Read a whole transparent EF that holds one BER-TLV (an LDS file)."""
        # Kept as one loop (64 lines), on purpose: every fallback (probe refused, no SFI, Le step-down,
        # offset refused, end of file) changes the same loop state (block, offset, SFI use, probing)
        # and must leave the SM counter right; split apart, each piece would need all of that state.
        # Every step is pinned by tests/sim/test_reader_quirks.py and tests/sim/test_card_rules.py.
        use_sfi = self.use_sfi and sfi is not None and sfi <= 0x1E
        if not use_sfi:
            self.select_ef(fid)
        buf = bytearray()
        total: int | None = None
        block = self.block
        first = True
        for _ in range(MAX_READS):
            if total is not None:
                want = min(block, total - len(buf))
            else:  # the first bytes give the length (the probe asks for all it may)
                want = block if self.probing else min(block, FIRST_READ)
            resp = self._send_read(fid, len(buf), want, sfi if (use_sfi and first) else None)
            if resp is None:
                block = SHORT_BLOCK
                continue
            sw = resp.sw
            if self.probing:
                if sw == SW.WRONG_LENGTH or sw >> 8 == 0x6C:  # plain, before SM: free to try again
                    hint = sw & 0xFF if sw >> 8 == 0x6C else 0
                    block = self.block = hint if hint else _PROBE_STEPS.get(want, 0)
                    if block <= 255:
                        block = self._probe_refused(fid, sw)
                    continue
                self.probing = False
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
                block = self.block = self._step_down(want, (sw & 0xFF or 256) if sw >> 8 == 0x6C else None)
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
        self._remember()
        return bytes(buf[:total] if total is not None else buf)
