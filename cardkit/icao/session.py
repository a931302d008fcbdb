# SPDX-License-Identifier: Apache-2.0
"""One reading session with an eMRTD: access control, then the files, progressively.

Order (ARCHITECTURE.md): EF.CardAccess (plain, master file context, no SELECT MF) -> PACE
(CAN or MRZ) or BAC -> EF.SOD, DG13, DG1, DG14, EF.COM, DG15, other DGs, DG2 (the face) last.

EF.SOD, not EF.COM, says what the chip holds: EF.COM is not signed, so a clone can leave DG14
and DG15 out of it. The groups read are the ones EF.SOD lists; EF.COM is read only when EF.SOD
cannot be parsed (its list then says what is read, for display; verification fails anyway) or,
otherwise, right after DG14: Chip Authentication runs on DG14 (:mod:`cardkit.icao.chip_checks`),
so EF.COM is the first file read under the chip-authenticated keys and proves them, even when
DG15 and DG2 come from the cache. A protected file (``6982``, e.g. DG3) or an absent one is
recorded per file with its status word, for verification to judge; a pulled card, a bad MAC or
a wrong key aborts the read with a typed error. With a face cache injected
(:mod:`cardkit.icao.face_cache`), a returning card's DG2, DG14 and DG15 are taken from it when
their bytes hash to what EF.SOD lists; :attr:`CardRead.from_cache` says which.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, ApduError, InputError, ParseError, WrongKeyError
from cardkit.icao.bac import bac
from cardkit.icao.face_cache import CACHED_GROUPS, FaceCache, cached_group
from cardkit.icao.files import FileNotFoundOnCard, FileProtected, FileReader
from cardkit.icao.keys import MrzKey, SecretPassword
from cardkit.icao.lds.com import parse_com
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.sm import SmState
from cardkit.transport.atr import supports_extended_length
from cardkit.transport.base import ApduProtocol, Connection

if TYPE_CHECKING:  # imported lazily below: PACE pulls in EC arithmetic
    from cardkit.icao.domain import Domain
    from cardkit.icao.lds.security_infos import PaceInfo
    from cardkit.icao.lds.sod import Sod
    from cardkit.icao.pace.protocol import PaceResult

logger = logging.getLogger(__name__)

Send = Callable[[CommandApdu], ResponseApdu]
Policy = Literal["auto", "pace", "bac"]

# Progressive order (ARCHITECTURE.md): what identifies the holder first, then DG14 (Chip
# Authentication) and EF.COM (the first file read under its keys), the face last.
_FIRST = (DataGroup.DG13, DataGroup.DG1, DataGroup.DG14, DataGroup.COM, DataGroup.DG15)


def read_order(listed: list[DataGroup]) -> list[DataGroup]:
    """After EF.SOD: DG13, DG1, DG14, EF.COM, DG15 (of those ``listed``; EF.COM always), the
    other listed DGs, DG2 last."""
    rest = [dg for dg in listed if dg not in _FIRST and dg is not DataGroup.DG2]
    order = [dg for dg in _FIRST if dg is DataGroup.COM or dg in listed] + rest
    return order + ([DataGroup.DG2] if DataGroup.DG2 in listed else [])


@dataclass(frozen=True)
class AccessSpec:
    """What the operator gave to open the card, and how strict the access policy is."""

    mrz_key: MrzKey | None = None
    can: SecretPassword | None = None
    policy: Policy = "auto"

    def __post_init__(self) -> None:
        if self.mrz_key is None and self.can is None:
            raise InputError("an MRZ key or a CAN is needed", message_vi="Cần nhập số định danh hoặc mã CAN.")


class FileEventKind(str, Enum):
    """What a :class:`FileEvent` reports (``str``-valued: the desk agent's events carry the value)."""

    START = "start"  # a file is about to be read
    PROGRESS = "progress"  # ``done`` of ``total`` bytes read
    DONE = "done"  # read whole; ``data`` holds it
    FAILED = "failed"  # refused or absent; ``error`` says why
    VERIFY = "verify"  # every file is in: verification runs now (``name`` is empty)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class FileEvent:
    """Progress of the read, one :class:`FileEventKind` per event."""

    kind: FileEventKind
    file: DataGroup | None  # None for VERIFY
    done: int = 0
    total: int | None = None
    data: bytes | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """The file's label ("DG13", "EF.SOD"), empty for VERIFY: what events and screens show."""
        return self.file.label if self.file is not None else ""


@dataclass
class AccessInfo:
    protocol: str  # "BAC" or "PACE"
    reason: str
    mapping: str | None = None
    cipher: str | None = None
    password: str | None = None  # "MRZ", "CAN"

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class CardRead:
    access: AccessInfo
    files: dict[DataGroup, bytes] = field(default_factory=dict)  # EF.COM, EF.SOD, DG1 ... as read
    errors: dict[DataGroup, str] = field(default_factory=dict)  # file -> reason it was not read
    refused: dict[int, int] = field(default_factory=dict)  # DG number -> status word it was refused with
    card_access: bytes | None = None
    apdus: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    from_cache: tuple[DataGroup, ...] = ()  # files taken from the station's face cache, not the chip (DG2, DG14, DG15)
    extras: dict[str, object] = field(default_factory=dict)  # verdicts etc. added by later stages


class SecureSender:
    """``send`` wrapped in secure messaging when a session key is established."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.sm: SmState | None = None

    def __call__(self, cmd: CommandApdu) -> ResponseApdu:
        if self.sm is None:
            return self._send(cmd)
        return self.sm.unprotect(self._send(self.sm.protect(cmd)))


class ReadingSession:
    def __init__(self, connection: Connection, *, protocol: ApduProtocol | None = None,
                 face_cache: FaceCache | None = None) -> None:
        self.connection = connection
        self.protocol = protocol or ApduProtocol(connection)
        self.send = SecureSender(self.protocol.send)
        extended = connection.supports_extended_length and supports_extended_length(connection.atr)
        self.files = FileReader(self.send, extended=extended, key=(getattr(connection, "name", ""), connection.atr))
        self.card_access: bytes | None = None
        self.access_info: AccessInfo | None = None
        self.files_read: dict[DataGroup, bytes] = {}  # kept when a read is cut short
        self.file_errors: dict[DataGroup, str] = {}
        self.refused: dict[int, int] = {}  # DG number -> status word
        self.listed: frozenset[int] = frozenset()  # data groups EF.SOD lists
        self.sod: Sod | None = None  # EF.SOD parsed (not yet verified), once read
        self.face_cache = face_cache
        self.from_cache: list[DataGroup] = []
        self.pace_result: PaceResult | None = None  # Terminal Authentication binds to its chip key
        self.mrz_key: MrzKey | None = None  # after BAC: TA v1's ID_PICC is its document number

    # -- access control ---------------------------------------------------------------
    def read_card_access(self) -> bytes | None:
        """EF.CardAccess from the master-file context the card gives after reset (9303-11 §9.2.11)."""
        try:
            dg = DataGroup.CARD_ACCESS
            self.card_access = self.files.read_file(dg.fid, dg.sfi)
        except (FileNotFoundOnCard, FileProtected):
            self.card_access = None
        except ApduError as exc:
            logger.debug("EF.CardAccess not readable: %s", exc)
            self.card_access = None
        return self.card_access

    def open(self, access: AccessSpec) -> AccessInfo:
        card_access = self.read_card_access()
        try:
            choice = _pace_choice(card_access)
        except ParseError as exc:  # unreadable EF.CardAccess: PACE cannot be set up from it
            logger.warning("EF.CardAccess not parseable: %s", exc)
            choice = None
        pace_offered = choice is not None
        if access.policy == "bac":
            return self._bac(access, "BAC requested (--access bac)")
        if access.policy == "pace" and not pace_offered:
            raise AccessError("the card does not offer PACE (no PACEInfo in EF.CardAccess)", step="EF.CardAccess")
        if choice is not None:
            try:
                return self._pace(access, *choice)
            except WrongKeyError:
                raise
            except AccessError as exc:
                if access.policy == "pace" or access.mrz_key is None:
                    raise
                logger.info("PACE failed (%s); falling back to BAC", exc)
                return self._bac(access, f"PACE failed ({exc}); fell back to BAC")
        if access.mrz_key is None:
            raise AccessError("the card offers only BAC, which needs the MRZ key (ID, date of birth, date of expiry)",
                              step="access")
        return self._bac(access, "card does not offer PACE (no EF.CardAccess)")

    def _bac(self, access: AccessSpec, reason: str) -> AccessInfo:
        if access.mrz_key is None:
            raise AccessError("BAC needs the MRZ key (ID, date of birth, date of expiry)", step="access")
        self.send.sm = None
        self.files.select_applet()
        self.send.sm = bac(self.protocol.send, access.mrz_key)
        self.pace_result, self.mrz_key = None, access.mrz_key
        self.access_info = AccessInfo("BAC", reason, cipher="3DES", password="MRZ")
        return self.access_info

    def _pace(self, access: AccessSpec, info: PaceInfo, domain: Domain) -> AccessInfo:
        from cardkit.icao.pace.protocol import pace  # noqa: PLC0415 - PACE pulls in EC arithmetic

        password = access.can if access.can is not None else access.mrz_key
        if password is None:  # AccessSpec refuses this; a hand-built one must not reach the card
            raise AccessError("PACE needs the CAN or the MRZ key", step="access")
        result = pace(self.protocol.send, password, info, params=domain)
        self.send.sm = result.sm
        self.pace_result = result
        self.files.select_applet()
        self.access_info = AccessInfo(
            "PACE", "card offers PACE (EF.CardAccess)", mapping=result.mapping, cipher=result.cipher,
            password=password.type.name,
        )
        return self.access_info

    # -- reading ----------------------------------------------------------------------
    def result(self, t0: float) -> CardRead:
        """What was read so far, as one :class:`CardRead` (the one place it is assembled)."""
        stats = self.protocol.stats
        assert self.access_info is not None
        return CardRead(
            access=self.access_info, files=self.files_read, errors=self.file_errors, refused=self.refused,
            card_access=self.card_access, apdus=stats.apdus, bytes_sent=stats.bytes_sent,
            bytes_received=stats.bytes_received, seconds=time.perf_counter() - t0,
            from_cache=tuple(self.from_cache),
        )

    def read_files(
        self,
        progress: Callable[[FileEvent], None] | None = None,
        on_file: Callable[[DataGroup, bytes], None] | None = None,
    ) -> tuple[dict[DataGroup, bytes], dict[DataGroup, str]]:
        """Read EF.SOD, then what it lists (:func:`read_order`); EF.COM's list instead when EF.SOD
        cannot be parsed. ``on_file`` runs after each file, from the chip or the cache (CA after
        DG14, AA after DG15): :attr:`from_cache` says which came from the cache."""
        emit = progress or (lambda event: None)
        listed = self._listed(self._read_one(DataGroup.SOD, emit, on_file))
        if listed is None:  # no usable EF.SOD: EF.COM (unsigned) says what to read, for display
            listed = self._com_list(self._read_one(DataGroup.COM, emit, on_file))
        for dg in read_order(listed):
            if dg in self.files_read or dg in self.file_errors:
                continue  # EF.COM, already read for its list
            if not self._from_cache(dg, emit, on_file):
                self._read_one(dg, emit, on_file)
        return self.files_read, self.file_errors

    def _listed(self, sod: bytes | None) -> list[DataGroup] | None:
        """The data groups EF.SOD lists, or None when it was not read or cannot be parsed."""
        from cardkit.icao.lds.sod import parse_sod  # noqa: PLC0415 - asn1crypto, only once EF.SOD is in

        if sod is None:
            return None
        try:
            self.sod = parse_sod(sod)
        except ParseError as exc:
            logger.warning("EF.SOD not parseable: %s", exc)
            return None
        self.listed = frozenset(n for n in self.sod.dg_hashes if 1 <= n <= 16)
        return [DataGroup.from_number(n) for n in sorted(self.listed)]

    @staticmethod
    def _com_list(com: bytes | None) -> list[DataGroup]:
        if com is not None:
            try:
                return list(parse_com(com).data_groups)
            except ParseError as exc:
                logger.warning("EF.COM not parseable: %s", exc)
        return []

    def _from_cache(self, dg: DataGroup, emit: Callable[[FileEvent], None],
                    on_file: Callable[[DataGroup, bytes], None] | None) -> bool:
        """``dg`` from the face cache when it holds bytes of the hash EF.SOD lists (a returning
        card). Handed to ``on_file`` like a file read (DG14: CA runs on the chip with it); the
        caller tells the two apart by :attr:`from_cache` (a cached file proves nothing about
        the chip's keys)."""
        if dg not in CACHED_GROUPS or self.face_cache is None or self.sod is None:
            return False
        data = cached_group(self.face_cache, self.sod, dg)
        if data is None:
            return False
        emit(FileEvent(FileEventKind.START, dg))
        self.files_read[dg] = data
        self.from_cache.append(dg)
        emit(FileEvent(FileEventKind.DONE, dg, len(data), len(data), data=data))
        if on_file is not None:
            on_file(dg, data)
        return True

    def _read_one(self, dg: DataGroup, emit: Callable[[FileEvent], None],
                  on_file: Callable[[DataGroup, bytes], None] | None) -> bytes | None:
        emit(FileEvent(FileEventKind.START, dg))
        try:
            data = self.files.read_file(
                dg.fid, dg.sfi, lambda done, total: emit(FileEvent(FileEventKind.PROGRESS, dg, done, total)))
        except (FileNotFoundOnCard, FileProtected) as exc:
            reason = "absent (6A82)" if isinstance(exc, FileNotFoundOnCard) else "not readable: protected (6982)"
            self.file_errors[dg] = reason
            if dg.number:
                self.refused[dg.number] = exc.sw or 0
            emit(FileEvent(FileEventKind.FAILED, dg, error=reason))
            return None
        self.files_read[dg] = data
        emit(FileEvent(FileEventKind.DONE, dg, len(data), len(data), data=data))
        if on_file is not None:
            on_file(dg, data)
        return data


def _pace_choice(card_access: bytes | None) -> tuple[PaceInfo, Domain] | None:
    """The PACEInfo to use and its domain parameters, or None when PACE is not offered."""
    if not card_access:
        return None
    from cardkit.icao.lds.security_infos import parse_security_infos  # noqa: PLC0415
    from cardkit.icao.pace.protocol import choose_pace_info  # noqa: PLC0415

    infos = parse_security_infos(card_access)
    info = choose_pace_info(infos.pace_infos)
    return None if info is None else (info, infos.pace_domain(info))


def read_card(
    connection: Connection,
    access: AccessSpec,
    *,
    progress: Callable[[FileEvent], None] | None = None,
) -> CardRead:
    """Open the card with ``access`` and read EF.SOD, EF.COM and every file EF.SOD lists."""
    t0 = time.perf_counter()
    session = ReadingSession(connection)
    session.open(access)
    session.read_files(progress)
    return session.result(t0)
