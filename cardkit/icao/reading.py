# SPDX-License-Identifier: Apache-2.0
"""Read a card and verify what it says: the whole chip side of a check-in.

Chip Authentication runs as soon as DG14 is read and Active Authentication as soon as DG15 is,
so the rest of the files (DG2 above all) are read under the chip-authenticated keys: reading
them successfully is the proof CA asks for (ICAO 9303-11 §6.2). Passive authentication runs on
what was read. Every check becomes a :class:`~cardkit.icao.verdict.Verdict`; the overall status
follows the one rule of :func:`cardkit.icao.verdict.overall`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from cardkit.errors import AccessError, CardkitError, ParseError, SecureMessagingError, WrongKeyError
from cardkit.icao.pa.passive import REQUIRED, PaResult, passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.session import AccessSpec, CardRead, FileEvent, ReadingSession
from cardkit.icao.verdict import Status, Verdict, invalid, not_checked, overall, valid

CA_CHECK = "chip_authentication"
AA_CHECK = "active_authentication"
from cardkit.transport.base import Connection

logger = logging.getLogger(__name__)


@dataclass
class ReadResult:
    read: CardRead
    verdicts: list[Verdict] = field(default_factory=list)
    overall: Status = Status.NOT_CHECKED
    pa: PaResult | None = None

    def dg(self, n: int) -> bytes | None:
        return self.read.files.get(f"DG{n}")

    def holder(self):
        """The holder as the chip states it (DG13, else DG1), or None."""
        from cardkit.icao.lds.dg1 import parse_dg1
        from cardkit.icao.lds.dg13 import parse_dg13

        try:
            if self.dg(13):
                return parse_dg13(self.dg(13)).to_person()
            if self.dg(1):
                return parse_dg1(self.dg(1)).to_person()
        except CardkitError as exc:
            logger.warning("holder data not parseable: %s", exc)
        return None

    def to_dict(self) -> dict[str, object]:
        r = self.read
        files: dict[str, object] = {name: len(data) for name, data in r.files.items()}
        files.update(r.errors)
        holder = self.holder()
        return {
            "access": r.access.protocol,
            "access_detail": r.access.to_dict(),
            "files": files,
            "apdus": r.apdus,
            "bytes_sent": r.bytes_sent,
            "bytes_received": r.bytes_received,
            "seconds": round(r.seconds, 3),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "overall": self.overall.value,
            "document_signer": self.pa.ds.__dict__ if self.pa and self.pa.ds else None,
            "holder": holder.to_dict() if holder is not None else None,
        }


def read_and_verify(
    connection: Connection,
    access: AccessSpec,
    *,
    trust: TrustStore | None = None,
    trust_path: str | Path | None = None,
    progress: Callable[[FileEvent], None] | None = None,
    now: datetime | None = None,
) -> ReadResult:
    t0 = time.perf_counter()
    session = ReadingSession(connection)
    info = session.open(access)
    checks = ChipChecks(session)
    try:
        files, errors = session.read_files(progress, on_file=checks.on_file)
    except SecureMessagingError as exc:
        if not checks.ca_pending:
            raise
        # The chip could not continue under the keys CA agreed: it does not hold the DG14 key.
        checks.verdicts.append(invalid(CA_CHECK, f"the chip failed to continue under chip-authentication keys ({exc})"))
        files, errors = session.files_read, session.file_errors
        errors.setdefault("(rest)", "not read: chip authentication failed")
    checks.finish()
    chip_verdicts = checks.verdicts
    stats = session.protocol.stats
    read = CardRead(
        access=info, files=files, errors=errors, card_access=session.card_access,
        apdus=stats.apdus, bytes_sent=stats.bytes_sent, bytes_received=stats.bytes_received,
        seconds=time.perf_counter() - t0,
    )
    return verify(read, trust if trust is not None else TrustStore.load(trust_path), now=now, chip_verdicts=chip_verdicts)


def verify(read: CardRead, trust: TrustStore, *, now: datetime | None = None, chip_verdicts: list[Verdict] = ()) -> ReadResult:
    """Passive authentication of what was read, merged with the chip's own checks."""
    verdicts: list[Verdict] = []
    pa = None
    sod = read.files.get("EF.SOD")
    if sod is None:
        verdicts.append(not_checked("passive_authentication", "EF.SOD was not read"))
    else:
        dgs = {int(name[2:]): data for name, data in read.files.items() if name.startswith("DG")}
        pa = passive_authentication(sod, dgs, trust, now=now)
        verdicts.extend(pa.verdicts)
    verdicts.extend(chip_verdicts)
    return ReadResult(read, verdicts, overall(verdicts, REQUIRED), pa)


class ChipChecks:
    """Chip Authentication right after DG14, Active Authentication right after DG15.

    CA is VALID only once a file has been read and MAC-verified under the new keys
    (ICAO 9303-11 §6.2: the chip proves its key implicitly).
    """

    def __init__(self, session: ReadingSession) -> None:
        self.session = session
        self.verdicts: list[Verdict] = []
        self.infos = None
        self.ca_pending = False

    def on_file(self, name: str, data: bytes) -> None:
        if self.ca_pending:
            self.ca_pending = False
            self.verdicts.append(valid(CA_CHECK, f"{name} read and verified under the chip-authenticated keys"))
        if name == "DG14":
            self._chip_authentication(data)
        elif name == "DG15":
            self._active_authentication(data)

    def _chip_authentication(self, dg14: bytes) -> None:
        from cardkit.icao.ca import chip_authentication
        from cardkit.icao.lds.security_infos import parse_security_infos

        try:
            self.infos = parse_security_infos(dg14)
        except ParseError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"DG14 cannot be parsed: {exc}"))
            return
        if not self.infos.ca_public_keys:
            self.verdicts.append(not_checked(CA_CHECK, "DG14 offers no chip authentication key"))
            return
        try:
            self.session.send.sm = chip_authentication(self.session.send, self.infos)
        except WrongKeyError as exc:  # not a password here: the chip refused the protocol
            self.verdicts.append(invalid(CA_CHECK, f"the chip refused chip authentication ({exc})"))
        except AccessError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"chip authentication failed: {exc}"))
        else:
            self.ca_pending = True

    def _active_authentication(self, dg15: bytes) -> None:
        from cardkit.icao.aa import active_authentication

        aa_info = self.infos.aa_infos[0] if self.infos is not None and self.infos.aa_infos else None
        try:
            self.verdicts.append(active_authentication(self.session.send, dg15, aa_info=aa_info))
        except (ParseError, ValueError) as exc:
            self.verdicts.append(invalid(AA_CHECK, f"active authentication failed: {exc}"))

    def finish(self) -> None:
        if self.ca_pending:  # nothing was read after CA: the chip proved nothing yet
            self.ca_pending = False
            self.verdicts.append(not_checked(CA_CHECK, "no file was read under the chip-authenticated keys"))
        checks = {v.check for v in self.verdicts}
        if CA_CHECK not in checks:
            self.verdicts.append(not_checked(CA_CHECK, "the card has no DG14"))
        if AA_CHECK not in checks:
            self.verdicts.append(not_checked(AA_CHECK, "the card has no DG15"))
