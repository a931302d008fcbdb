# SPDX-License-Identifier: Apache-2.0
"""Elementary files of the eMRTD: file identifiers, short EF identifiers, tags and file names.

ICAO 9303-10 §4.6.1 (LDS1 EFs under the eMRTD application) and §3.11-3.12 (EF.CardAccess and
EF.CardSecurity under the MF). EF.SOD and EF.CardSecurity share FID 011D in different DFs.
"""

from __future__ import annotations

from enum import Enum

from cardkit.errors import ParseError


class DataGroup(Enum):
    """An EF of the eMRTD. Value: (FID, SFI, tag, file name); ``tag`` is None for SecurityInfos files."""

    COM = (0x011E, 0x1E, 0x60, "EF_COM.bin")
    DG1 = (0x0101, 0x01, 0x61, "DG1.bin")
    DG2 = (0x0102, 0x02, 0x75, "DG2.bin")
    DG3 = (0x0103, 0x03, 0x63, "DG3.bin")
    DG4 = (0x0104, 0x04, 0x76, "DG4.bin")
    DG5 = (0x0105, 0x05, 0x65, "DG5.bin")
    DG6 = (0x0106, 0x06, 0x66, "DG6.bin")
    DG7 = (0x0107, 0x07, 0x67, "DG7.bin")
    DG8 = (0x0108, 0x08, 0x68, "DG8.bin")
    DG9 = (0x0109, 0x09, 0x69, "DG9.bin")
    DG10 = (0x010A, 0x0A, 0x6A, "DG10.bin")
    DG11 = (0x010B, 0x0B, 0x6B, "DG11.bin")
    DG12 = (0x010C, 0x0C, 0x6C, "DG12.bin")
    DG13 = (0x010D, 0x0D, 0x6D, "DG13.bin")
    DG14 = (0x010E, 0x0E, 0x6E, "DG14.bin")
    DG15 = (0x010F, 0x0F, 0x6F, "DG15.bin")
    DG16 = (0x0110, 0x10, 0x70, "DG16.bin")
    SOD = (0x011D, 0x1D, 0x77, "EF_SOD.bin")
    CARD_ACCESS = (0x011C, 0x1C, None, "EF_CardAccess.bin")
    CARD_SECURITY = (0x011D, 0x1D, None, "EF_CardSecurity.bin")

    def __init__(self, fid: int, sfi: int, tag: int | None, filename: str) -> None:
        self._fid, self._sfi, self._tag, self._filename = fid, sfi, tag, filename

    @property
    def fid(self) -> int:
        return self._fid

    @property
    def sfi(self) -> int:
        return self._sfi

    @property
    def tag(self) -> int | None:
        return self._tag

    @property
    def filename(self) -> str:
        return self._filename

    @property
    def label(self) -> str:
        """The name used in results, JSON and messages: "EF.COM", "EF.SOD", "DG1", "EF.CardAccess" ..."""
        return _LABELS.get(self.name, self.name)

    @property
    def number(self) -> int | None:
        """1..16 for DG1..DG16, None for the other EFs."""
        return int(self.name[2:]) if self.name.startswith("DG") else None

    @property
    def in_mf(self) -> bool:
        """True for the EFs under the MF (read before selecting the eMRTD application)."""
        return self in (DataGroup.CARD_ACCESS, DataGroup.CARD_SECURITY)

    @classmethod
    def from_number(cls, number: int) -> DataGroup:
        if not 1 <= number <= 16:
            raise ParseError(f"no data group {number}", what="data group number")
        return cls[f"DG{number}"]

    @classmethod
    def from_fid(cls, fid: int) -> DataGroup:
        """The eMRTD application's EF with this FID (EF.SOD, not EF.CardSecurity, for 011D)."""
        for member in cls:
            if member.fid == fid and not member.in_mf:
                return member
        raise ParseError(f"unknown file identifier {fid:04X}", what="file identifier")

    @classmethod
    def from_tag(cls, tag: int) -> DataGroup:
        for member in cls:
            if member.tag == tag:
                return member
        raise ParseError("unknown LDS tag", what="data group tag", tag=tag)

    @classmethod
    def from_filename(cls, name: str) -> DataGroup | None:
        for member in cls:
            if member.filename.lower() == name.lower():
                return member
        return None


_LABELS = {"COM": "EF.COM", "SOD": "EF.SOD", "CARD_ACCESS": "EF.CardAccess", "CARD_SECURITY": "EF.CardSecurity"}

# The AID of the eMRTD application, ICAO 9303-10 §3.10.
EMRTD_AID = bytes.fromhex("A0000002471001")
