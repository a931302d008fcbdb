# SPDX-License-Identifier: Apache-2.0
"""Command and response APDUs (ISO/IEC 7816-3 §12.1, ISO/IEC 7816-4 §5.1).

All four cases, short and extended length. Encoding is deterministic: the same
:class:`CommandApdu` always gives the same bytes, which the replay transcripts require.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import TypedDict, Unpack

from cardkit.errors import ParseError

SHORT_MAX_LC = 255
SHORT_MAX_LE = 256
EXT_MAX_LC = 65535
EXT_MAX_LE = 65536


class StatusWord(IntEnum):
    """Status words met when talking to an eMRTD (ISO/IEC 7816-4 §5.6)."""

    SUCCESS = 0x9000
    WARNING_END_OF_FILE = 0x6282  # fewer bytes than Le available
    WARNING_VERIFICATION_FAILED = 0x6300  # PACE: wrong password (no counter)
    WRONG_LENGTH = 0x6700
    LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
    SM_NOT_SUPPORTED = 0x6882
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTHENTICATION_BLOCKED = 0x6983
    REFERENCE_DATA_NOT_USABLE = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    COMMAND_NOT_ALLOWED = 0x6986
    SM_DATA_OBJECTS_MISSING = 0x6987
    SM_DATA_OBJECTS_INCORRECT = 0x6988
    WRONG_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    INCORRECT_P1P2 = 0x6A86
    REFERENCE_DATA_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    NO_PRECISE_DIAGNOSIS = 0x6F00

    @classmethod
    def of(cls, sw: int) -> StatusWord | int:
        """The enum member for ``sw``, or the plain int when unknown (kept, never lost)."""
        try:
            return cls(sw)
        except ValueError:
            return sw


def sw_name(sw: int) -> str:
    known = StatusWord.of(sw)
    if isinstance(known, StatusWord):
        return f"{sw:04X} {known.name}"
    if sw & 0xFF00 == 0x6100:
        return f"{sw:04X} MORE_DATA({sw & 0xFF})"
    if sw & 0xFF00 == 0x6C00:
        return f"{sw:04X} WRONG_LE(exact {sw & 0xFF or 256})"
    if sw & 0xFFF0 == 0x63C0:
        return f"{sw:04X} VERIFY_FAILED(tries left {sw & 0xF})"
    return f"{sw:04X}"


class CommandChanges(TypedDict, total=False):
    """The fields :meth:`CommandApdu.with_` may change (all of them; tests/core keeps them equal)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    extended: bool


@dataclass(frozen=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None: no Le field; 1..65536 expected bytes (256 short / 65536 ext = "all")
    extended: bool = False  # force extended encoding even when short would fit

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            v = getattr(self, name)
            if not 0 <= v <= 0xFF:
                raise ValueError(f"{name} out of range: {v}")
        if len(self.data) > EXT_MAX_LC:
            raise ValueError("command data too long")
        if self.le is not None and not 0 < self.le <= EXT_MAX_LE:
            raise ValueError(f"Le out of range: {self.le}")

    @property
    def is_extended(self) -> bool:
        return (
            self.extended
            or len(self.data) > SHORT_MAX_LC
            or (self.le is not None and self.le > SHORT_MAX_LE)
        )

    def with_(self, **changes: Unpack[CommandChanges]) -> CommandApdu:
        return replace(self, **changes)

    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def encode(self) -> bytes:
        out = bytearray(self.header())
        if self.is_extended:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = self.le & 0xFFFF  # 65536 -> 0000
                out += (b"" if self.data else b"\x00") + le.to_bytes(2, "big")
        else:
            if self.data:
                out += bytes([len(self.data)]) + self.data
            if self.le is not None:
                out.append(self.le & 0xFF)  # 256 -> 00
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> CommandApdu:
        """Parse a command APDU (card side). Raises :class:`ParseError` on malformed input."""
        n = len(raw)
        if n < 4:
            raise ParseError("command APDU shorter than 4 bytes", what="APDU", offset=n)
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:  # case 2 short
            return cls(cla, ins, p1, p2, le=body[0] or 256)
        if body[0] != 0:  # short case 3 or 4
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, body[1:])
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, body[1 : 1 + lc], le=body[-1] or 256)
            raise ParseError("Lc does not match the command length", what="APDU", offset=4)
        # extended: body[0] == 0
        if len(body) == 3:  # case 2 extended
            return cls(cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536, extended=True)
        if len(body) < 3:
            raise ParseError("truncated extended length", what="APDU", offset=4)
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise ParseError("extended Lc of zero", what="APDU", offset=5)
        if len(body) == 3 + lc:
            return cls(cla, ins, p1, p2, body[3:], extended=True)
        if len(body) == 5 + lc:
            le = int.from_bytes(body[-2:], "big") or 65536
            return cls(cla, ins, p1, p2, body[3 : 3 + lc], le=le, extended=True)
        raise ParseError("extended Lc does not match the command length", what="APDU", offset=5)


@dataclass(frozen=True)
class ResponseApdu:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == StatusWord.SUCCESS

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    def encode(self) -> bytes:
        return bytes(self.data) + self.sw.to_bytes(2, "big")

    @classmethod
    def decode(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise ParseError("response APDU shorter than 2 bytes", what="APDU", offset=len(raw))
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    def __repr__(self) -> str:
        return f"ResponseApdu({len(self.data)} bytes, sw={sw_name(self.sw)})"
