# SPDX-License-Identifier: Apache-2.0
"""The simulated eMRTD chip: file system, ISO/IEC 7816-4 commands, access control, SM.

The card answers raw APDU bytes with raw response bytes (``transmit``), so it can be driven
in-process (``cardkit.transport.inproc``) or served to pcscd through vpcd (``cardkit.sim.vpcd``).
Malformed commands get the ISO/IEC 7816-4 status word, never an exception. Access-control
protocols other than BAC (PACE, CA, AA) plug in as handlers:
``handler.handle(card, cmd) -> ResponseApdu | None`` (None: not mine).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Protocol

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.apdu import StatusWord as SW
from cardkit.errors import ParseError, SecureMessagingError
from cardkit.icao.sm import SmState
from cardkit.sim.bac_card import BacCardHandler
from cardkit.sim.chip_state import CardConfig, ChipState, R
from cardkit.sim.image import FID_CARD_ACCESS, CardImage
from cardkit.tlv import encode_tlv, parse_all

logger = logging.getLogger(__name__)

EMRTD_AID = bytes.fromhex("A0000002471001")
PROTECTED_DGS = {0x0103, 0x0104}  # DG3, DG4: need Terminal Authentication (sim.ta_card)


class Handler(Protocol):
    def handle(self, card: SimCard, cmd: CommandApdu) -> ResponseApdu | None: ...


class SimCard:
    def __init__(
        self,
        image: CardImage,
        config: CardConfig | None = None,
        *,
        handlers: list[Handler] | None = None,
        rng: Callable[[int], bytes] = secrets.token_bytes,
        faults: object | None = None,
    ) -> None:
        self.image = image
        self.config = config or CardConfig()
        self.handlers: list[Handler] = list(handlers or [])
        self.rng = rng
        self.faults = faults
        self.sm: SmState | None = None
        self._next_sm: SmState | None = None
        self.state = ChipState()
        self.apdu_count = 0
        self.bac_handler = BacCardHandler()

    # -- public ---------------------------------------------------------------------
    @property
    def atr(self) -> bytes:
        return self.config.atr

    @property
    def card_access(self) -> bytes | None:
        return self.image.mf_files.get(FID_CARD_ACCESS)

    def reset(self) -> None:
        """Power cycle: access and secure messaging are lost."""
        self.sm = None
        self._next_sm = None
        self.state = ChipState()

    def establish(self, sm: SmState) -> None:
        """Switch to ``sm`` once the current response has gone out; access is granted."""
        self._next_sm = sm

    def drop_session(self) -> None:
        self.sm = None
        self._next_sm = None
        self.state.access = False
        self.state.ta_granted = self.state.ta_pending = frozenset()
        self.state.pace_chip_comp = self.state.ta_pending_comp = b""
        self.state.ca_done = False

    def transmit(self, raw: bytes) -> bytes:
        self.apdu_count += 1
        if self.faults is not None:
            early = self.faults.before_command(self, raw)
            if early is not None:
                return early
        resp, protected = self._process(raw)
        out = resp.encode()
        if self.faults is not None:
            out = self.faults.after_response(self, raw, out, protected)
        return out

    # -- SM envelope ------------------------------------------------------------------
    def _process(self, raw: bytes) -> tuple[ResponseApdu, bool]:
        try:
            cmd = CommandApdu.decode(raw)
        except ParseError:
            return R(SW.WRONG_LENGTH), False
        except ValueError:
            return R(SW.WRONG_LENGTH), False
        if cmd.cla not in (0x00, 0x0C, 0x10, 0x1C):
            return R(SW.CLA_NOT_SUPPORTED), False
        sm = self.sm
        if sm is None:
            if cmd.cla & 0x0C:
                return R(SW.SM_DATA_OBJECTS_MISSING), False
            return self._dispatch(cmd), False
        if not cmd.cla & 0x0C:
            if cmd.ins == 0xC0 and self.state.pending:  # GET RESPONSE sits below SM (ISO/IEC 7816-4 §5.3.4)
                return self._get_response(cmd), False
            # ICAO 9303-11 §9.8.4: a plain command inside an SM session ends the session.
            self.drop_session()
            return R(SW.SM_DATA_OBJECTS_MISSING), False
        try:
            plain = sm.unprotect_command(cmd)
        except SecureMessagingError:
            self.drop_session()
            return R(SW.SM_DATA_OBJECTS_INCORRECT), False
        resp = self._dispatch(plain)
        wrapped = sm.protect_response(resp, odd_ins=bool(plain.ins & 1))
        if not cmd.is_extended and len(wrapped.data) > 256:  # a short command: the rest via GET RESPONSE
            self.state.pending = wrapped.data[256:]
            wrapped = R(0x6100 | min(len(self.state.pending), 256) & 0xFF, wrapped.data[:256])
        if self._next_sm is not None:
            self.sm, self._next_sm = self._next_sm, None
            self.state.access = True
        return wrapped, True

    def _dispatch(self, cmd: CommandApdu) -> ResponseApdu:
        resp = self._dispatch_inner(cmd)
        if self.sm is None and self._next_sm is not None:
            self.sm, self._next_sm = self._next_sm, None
            self.state.access = True
        return resp

    def _dispatch_inner(self, cmd: CommandApdu) -> ResponseApdu:
        ins = cmd.ins
        if ins == 0xA4:
            return self._select(cmd)
        if ins in (0xB0, 0xB1):
            return self._read_binary(cmd)
        if ins == 0xC0:
            return self._get_response(cmd)
        if ins in (0x84, 0x82) and self.sm is None:  # BAC; under SM they belong to TA (sim.ta_card)
            return self.bac_handler.handle(self, cmd)
        for handler in self.handlers:
            resp = handler.handle(self, cmd)
            if resp is not None:
                return resp
        if ins in (0x84, 0x82):
            return self.bac_handler.handle(self, cmd)
        return R(SW.INS_NOT_SUPPORTED)

    # -- file system ------------------------------------------------------------------
    def _files(self) -> dict[int, bytes]:
        return self.image.app_files if self.state.df == "app" else self.image.mf_files

    def _select(self, cmd: CommandApdu) -> ResponseApdu:
        p1 = cmd.p1
        if p1 == 0x04:  # by DF name (AID)
            if cmd.data == EMRTD_AID:
                self.state.df, self.state.ef = "app", None
                return R(SW.SUCCESS)
            return R(SW.FILE_NOT_FOUND)
        if p1 in (0x00, 0x02):
            if p1 == 0x00 and cmd.data in (b"", b"\x3f\x00"):
                if self.config.refuse_mf_select:
                    return R(SW.SECURITY_STATUS_NOT_SATISFIED)
                self.state.df, self.state.ef = "mf", None
                return R(SW.SUCCESS)
            if len(cmd.data) != 2:
                return R(SW.WRONG_LENGTH)
            fid = int.from_bytes(cmd.data, "big")
            sw = self._check_file(fid)
            if sw != SW.SUCCESS:
                return R(sw)
            self.state.ef = fid
            return R(SW.SUCCESS)
        return R(SW.INCORRECT_P1P2)

    def _check_file(self, fid: int) -> int:
        in_app = self.state.df == "app"
        if in_app and not self.state.access:
            return SW.SECURITY_STATUS_NOT_SATISFIED
        if in_app and fid in self.config.refuse:
            return self.config.refuse[fid]
        if in_app and fid in PROTECTED_DGS and fid in self.image.app_files and fid not in self.state.ta_granted:
            return SW.SECURITY_STATUS_NOT_SATISFIED
        if fid not in self._files():
            return SW.FILE_NOT_FOUND
        return SW.SUCCESS

    def _read_binary(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.ins == 0xB0:
            if cmd.p1 & 0x80:  # short EF identifier (ISO/IEC 7816-4 §7.2.2)
                sfi = cmd.p1 & 0x1F
                fid = self._fid_for_sfi(sfi)
                sw = self._check_file(fid) if fid is not None else SW.FILE_NOT_FOUND
                if sw != SW.SUCCESS:
                    return R(sw)
                self.state.ef = fid
                offset = cmd.p2
            else:
                offset = ((cmd.p1 << 8) | cmd.p2) & 0x7FFF
        else:  # B1: offset in DO'54' (ISO/IEC 7816-4 §11.2.3)
            try:
                dos = parse_all(cmd.data)
            except ParseError:
                return R(SW.WRONG_DATA)
            if len(dos) != 1 or dos[0].tag != 0x54 or not 1 <= len(dos[0].value) <= 3:
                return R(SW.WRONG_DATA)
            offset = int.from_bytes(dos[0].value, "big")
        if self.state.ef is None:
            return R(SW.COMMAND_NOT_ALLOWED)
        sw = self._check_file(self.state.ef)
        if sw != SW.SUCCESS:
            return R(sw)
        data = self._files()[self.state.ef]
        if offset >= len(data):
            return R(SW.WRONG_P1P2)
        le = cmd.le or 256
        if le > self.config.max_le:
            if self.config.le_error == 0x6C00:
                return R(0x6C00 | (min(self.config.max_le, 255)))
            return R(self.config.le_error)
        chunk = data[offset : offset + le]
        sw = SW.SUCCESS
        if len(chunk) < le and self.config.eof_warning:
            sw = SW.WARNING_END_OF_FILE
        if cmd.ins == 0xB1:
            chunk = encode_tlv(0x53, chunk)
        if self.sm is None and not cmd.is_extended and len(chunk) > 256:
            self.state.pending = chunk[256:]
            return R(0x6100 | min(len(chunk) - 256, 256) & 0xFF, chunk[:256])
        return R(sw, chunk)

    def _fid_for_sfi(self, sfi: int) -> int | None:
        for fid in self._files():
            if fid & 0xFF == sfi and fid >> 8 in (0x01,):
                return fid
        return None

    def _get_response(self, cmd: CommandApdu) -> ResponseApdu:
        if not self.state.pending:
            return R(SW.CONDITIONS_NOT_SATISFIED)
        le = cmd.le or 256
        chunk, self.state.pending = self.state.pending[:le], self.state.pending[le:]
        if self.state.pending:
            return R(0x6100 | min(len(self.state.pending), 256) & 0xFF, chunk)
        return R(SW.SUCCESS, chunk)

