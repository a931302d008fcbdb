# SPDX-License-Identifier: Apache-2.0
"""Chip Authentication right after DG14, Active Authentication right after DG15, inside a read.

Which of them the card must pass is decided by its *signed* data (ICAO 9303-11 §6, §9.2):
DG14 listed in EF.SOD with a Chip Authentication key means CA is required, DG15 listed (or an
ActiveAuthenticationInfo in DG14) means AA is required. A chip that hides or refuses those
files, refuses the protocol or cannot continue under its keys is a clone: INVALID, never
"not checked". CA is VALID only once a file has been read and MAC-verified under the new keys
(9303-11 §6.2: the chip proves its key implicitly); when nothing else is left to read, EF.COM is
read again under them for that proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cardkit.errors import AccessError, ApduError, ParseError, SecureMessagingError, WrongKeyError
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.policy import ACTIVE_AUTHENTICATION as AA_CHECK
from cardkit.icao.policy import CHIP_AUTHENTICATION as CA_CHECK
from cardkit.icao.verdict import Verdict, invalid, not_checked, valid

if TYPE_CHECKING:
    from cardkit.icao.aa import AaEvidence
    from cardkit.icao.lds.security_infos import SecurityInfos
    from cardkit.icao.session import ReadingSession


@dataclass
class ChipChecks:
    session: "ReadingSession"
    verdicts: list[Verdict] = field(default_factory=list)
    infos: "SecurityInfos | None" = None
    ca_pending: bool = False
    aa_evidence: "AaEvidence | None" = None

    @property
    def ca_offered(self) -> bool:
        return self.infos is not None and bool(self.infos.ca_public_keys)

    @property
    def aa_advertised_in_dg14(self) -> bool:
        return self.infos is not None and bool(self.infos.aa_infos)

    def on_file(self, dg: DataGroup, data: bytes) -> None:
        if self.ca_pending:
            self.ca_pending = False
            self.verdicts.append(valid(CA_CHECK, f"{dg.label} read and verified under the chip-authenticated keys"))
        if dg is DataGroup.DG14:
            self._chip_authentication(data)
        elif dg is DataGroup.DG15:
            self._active_authentication(data)

    def _chip_authentication(self, dg14: bytes) -> None:
        from cardkit.icao.ca import chip_authentication
        from cardkit.icao.lds.security_infos import parse_security_infos

        try:
            self.infos = parse_security_infos(dg14)
        except (ParseError, AccessError) as exc:  # AccessError: unsound domain parameters
            self.verdicts.append(invalid(CA_CHECK, f"DG14 cannot be used: {exc}"))
            return
        if not self.infos.ca_public_keys:
            return  # nothing to do; :meth:`finish` says whether that is acceptable
        try:
            self.session.send.sm = chip_authentication(self.session.send, self.infos)
        except WrongKeyError as exc:  # not a password here: the chip refused the protocol
            self.verdicts.append(invalid(CA_CHECK, f"the chip refused chip authentication ({exc})"))
        except AccessError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"chip authentication failed: {exc}"))
        else:
            self.ca_pending = True

    def _active_authentication(self, dg15: bytes) -> None:
        from cardkit.icao.aa import authenticate

        aa_info = self.infos.aa_infos[0] if self.infos is not None and self.infos.aa_infos else None
        try:
            verdict, self.aa_evidence = authenticate(self.session.send, dg15, aa_info=aa_info)
            self.verdicts.append(verdict)
        except (ParseError, ValueError) as exc:
            self.verdicts.append(invalid(AA_CHECK, f"active authentication failed: {exc}"))

    def prove_ca(self) -> None:
        """Nothing was read after CA: read EF.COM again under the new keys as the proof."""
        if not self.ca_pending:
            return
        self.ca_pending = False
        dg = DataGroup.COM
        try:
            self.session.files.read_file(dg.fid, dg.sfi)
        except SecureMessagingError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"the chip failed to continue under chip-authentication keys ({exc})"))
        except ApduError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"no file could be read under the chip-authenticated keys ({exc})"))
        else:
            self.verdicts.append(valid(CA_CHECK, "EF.COM read and verified under the chip-authenticated keys"))

    def finish(self, listed: frozenset[int], errors: dict[DataGroup, str]) -> None:
        """Verdicts for what the signed data advertises but the chip did not do."""
        done = {v.check for v in self.verdicts}
        if CA_CHECK not in done:
            if 14 in listed and DataGroup.DG14 in errors:
                self.verdicts.append(invalid(CA_CHECK, "possible clone: EF.SOD lists DG14 but the chip did not "
                                                       f"return it ({errors[DataGroup.DG14]})"))
            elif not self.ca_offered:
                self.verdicts.append(not_checked(CA_CHECK, "the chip's signed data offers no Chip Authentication key"))
        if AA_CHECK not in done:
            if 15 in listed and DataGroup.DG15 in errors:
                self.verdicts.append(invalid(AA_CHECK, "possible clone: EF.SOD lists DG15 but the chip did not "
                                                       f"return it ({errors[DataGroup.DG15]})"))
            elif self.aa_advertised_in_dg14:
                self.verdicts.append(invalid(AA_CHECK, "possible clone: DG14 advertises Active Authentication "
                                                       "but the chip has no DG15"))
            else:
                self.verdicts.append(not_checked(AA_CHECK, "the chip's signed data offers no Active Authentication"))
