# SPDX-License-Identifier: Apache-2.0
"""Chip Authentication right after DG14, Active Authentication right after DG15, inside a read.

Which of them the card must pass is decided by its *signed* data (ICAO 9303-11 §6, §9.2):
DG14 listed in EF.SOD with a Chip Authentication key means CA is required, DG15 listed (or an
ActiveAuthenticationInfo in DG14) means AA is required. A chip that hides or refuses those
files, refuses the protocol or cannot continue under its keys is a clone: INVALID, never
"not checked". CA is VALID only once a file has been read and MAC-verified under the new keys
(9303-11 §6.2: the chip proves its key implicitly). The session reads EF.COM right after DG14
for that proof; a file from the station's face cache proves nothing (no chip exchange), so a
cached DG14 or DG15 only supplies the public key that CA or AA then checks on the chip. When
nothing was read after CA (EF.COM read early, for its list), EF.COM is read again under them.

With a terminal chain configured (``terminal``), EAC Terminal Authentication runs around CA
(:mod:`cardkit.icao.ta_checks`): v2 just before it, v1 just after it; its verdict is the
``terminal_authentication`` check and CA keeps its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cardkit.errors import AccessError, ApduError, ParseError, SecureMessagingError, WrongKeyError
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.policy import ACTIVE_AUTHENTICATION as AA_CHECK
from cardkit.icao.policy import CHIP_AUTHENTICATION as CA_CHECK
from cardkit.icao.verdict import Status, Verdict, invalid, not_checked, valid

if TYPE_CHECKING:
    from cardkit.icao.aa import AaEvidence
    from cardkit.icao.lds.security_infos import SecurityInfos
    from cardkit.icao.session import ReadingSession
    from cardkit.icao.ta import TaVersion, TerminalCredentials
    from cardkit.icao.ta_checks import TaOutcome


@dataclass
class ChipChecks:
    session: ReadingSession
    verdicts: list[Verdict] = field(default_factory=list)
    infos: SecurityInfos | None = None
    ca_pending: bool = False
    aa_evidence: AaEvidence | None = None
    terminal: TerminalCredentials | None = None
    ta: TaOutcome | None = None
    rng: Callable[[int], bytes] = secrets.token_bytes  # the AA challenge (injected by tests)

    @property
    def ta_attempted(self) -> bool:
        """A terminal chain is configured and the chip announced TA: its check is required."""
        return self.ta is not None and self.ta.verdict.status is not Status.NOT_CHECKED

    @property
    def ta_opened(self) -> frozenset[int]:
        return self.ta.opened if self.ta is not None else frozenset()

    @property
    def ca_offered(self) -> bool:
        return self.infos is not None and bool(self.infos.ca_public_keys)

    @property
    def aa_advertised_in_dg14(self) -> bool:
        return self.infos is not None and bool(self.infos.aa_infos)

    def on_file(self, dg: DataGroup, data: bytes) -> None:
        """After each file, read from the chip or taken from the face cache."""
        if self.ca_pending and dg not in self.session.from_cache:
            self.ca_pending = False
            self.verdicts.append(valid(CA_CHECK, f"{dg.label} read and verified under the chip-authenticated keys"))
        if dg is DataGroup.DG14:
            self._chip_authentication(data)
        elif dg is DataGroup.DG15:
            self._active_authentication(data)

    def _chip_authentication(self, dg14: bytes) -> None:
        from cardkit.icao.ca import chip_authentication
        from cardkit.icao.lds.security_infos import parse_security_infos
        from cardkit.icao.ta import TaVersion

        try:
            self.infos = parse_security_infos(dg14)
        except (ParseError, AccessError) as exc:  # AccessError: unsound domain parameters
            self.verdicts.append(invalid(CA_CHECK, f"DG14 cannot be used: {exc}"))
            self._ta_blocked(f"DG14 cannot be used ({exc})")
            return
        version = self._ta_version() if self.terminal is not None else None
        if not self.infos.ca_public_keys:
            if version is not None:
                self._ta_without_ca()
            return  # nothing to do; :meth:`finish` says whether that is acceptable
        sk = self._ta_v2() if version is TaVersion.V2 else None
        try:
            self.session.send.sm = chip_authentication(self.session.send, self.infos, private_key=sk)
        except WrongKeyError as exc:  # not a password here: the chip refused the protocol
            self.verdicts.append(invalid(CA_CHECK, f"the chip refused chip authentication ({exc})"))
        except AccessError as exc:
            self.verdicts.append(invalid(CA_CHECK, f"chip authentication failed: {exc}"))
        else:
            self.ca_pending = True
            if version is TaVersion.V1:
                self._ta_v1()
            return
        if version is TaVersion.V1:
            self._ta_blocked("TA v1 follows chip authentication, which failed")

    # -- Terminal Authentication (cardkit.icao.ta_checks) ---------------------------------
    def _ta_version(self) -> TaVersion | None:
        """The version to run, or None with :attr:`ta` saying why none runs."""
        from cardkit.icao.ta import TaVersion
        from cardkit.icao.ta_checks import TaFailure, announced_version, fail, not_offered, unsupported_version, version_of

        announced = announced_version(self.infos, _card_access_infos(self.session.card_access))
        if announced is None:
            self.ta = not_offered()
            return None
        version = version_of(announced)
        if version is None:
            self.ta = unsupported_version(announced)
        elif version is TaVersion.V2 and self.session.pace_result is None:
            self.ta = fail(TaFailure.UNSUPPORTED, "the chip announces Terminal Authentication version 2, "
                                                  "which needs a PACE session; this one used BAC")
            return None
        return version

    def _ta_blocked(self, why: str) -> None:
        from cardkit.icao.ta_checks import TaFailure, fail

        if self.terminal is not None and self.ta is None:
            self.ta = fail(TaFailure.REFUSED, f"Terminal Authentication could not run: {why}")

    def _ta_without_ca(self) -> None:
        from cardkit.icao.ta_checks import TaFailure, fail

        self.ta = fail(TaFailure.UNSUPPORTED, "Terminal Authentication needs Chip Authentication, but the chip's "
                                              "DG14 offers no Chip Authentication key")

    def _ta_v2(self) -> int | None:
        """TA v2 announcing the CA ephemeral key; its private part for CA, None when TA failed."""
        from cardkit.icao.cvc import compressed
        from cardkit.icao.ta import TaError, TaVersion, ca_ephemeral, terminal_authentication
        from cardkit.icao.ta_checks import refused, success

        pace, creds = self.session.pace_result, self.terminal
        assert pace is not None and creds is not None and self.infos is not None
        sk, comp = ca_ephemeral(self.infos)
        id_picc = compressed(pace.domain, pace.chip_ephemeral_public_key)
        try:
            terminal_authentication(self.session.send, creds, version=TaVersion.V2, id_picc=id_picc, ephemeral_comp=comp)
        except TaError as exc:
            self.ta = refused(exc, creds)
            return None
        self.ta = success(creds, TaVersion.V2)
        return sk

    def _ta_v1(self) -> None:
        """TA v1 right after CA (ICAO 9303-11 §7.1): ID_PICC from PACE or the MRZ document number."""
        from cardkit.icao.cvc import compressed
        from cardkit.icao.ta import TaError, TaVersion, id_picc_v1, terminal_authentication
        from cardkit.icao.ta_checks import TaFailure, fail, refused, success

        pace, creds = self.session.pace_result, self.terminal
        assert creds is not None
        if pace is not None:
            id_picc = compressed(pace.domain, pace.chip_ephemeral_public_key)
        elif self.session.mrz_key is not None:
            id_picc = id_picc_v1(self.session.mrz_key.document_number)
        else:  # BAC always has the MRZ key; a hand-built session must not reach the card
            self.ta = fail(TaFailure.UNSUPPORTED, "TA v1 needs the document number (no MRZ key)")
            return
        try:
            terminal_authentication(self.session.send, creds, version=TaVersion.V1, id_picc=id_picc)
        except TaError as exc:
            self.ta = refused(exc, creds)
        else:
            self.ta = success(creds, TaVersion.V1)

    def _active_authentication(self, dg15: bytes) -> None:
        from cardkit.icao.aa import authenticate

        aa_info = self.infos.aa_infos[0] if self.infos is not None and self.infos.aa_infos else None
        try:
            verdict, self.aa_evidence = authenticate(self.session.send, dg15, aa_info=aa_info, rng=self.rng)
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
        if self.terminal is not None:
            self._finish_ta(listed, errors)
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

    def _finish_ta(self, listed: frozenset[int], errors: dict[DataGroup, str]) -> None:
        from cardkit.icao.ta_checks import TaFailure, fail, not_offered

        if self.ta is None and 14 not in listed:  # signed data without DG14: no CA, hence no TA
            self.ta = not_offered()
        elif self.ta is None:  # DG14 hidden or the read stopped before TA could run
            why = errors.get(DataGroup.DG14) or "chip authentication did not complete"
            self.ta = fail(TaFailure.REFUSED, f"Terminal Authentication could not run: {why}")
        self.verdicts.append(self.ta.verdict)


def _card_access_infos(card_access: bytes | None) -> SecurityInfos | None:
    from cardkit.icao.lds.security_infos import parse_security_infos

    if not card_access:
        return None
    try:
        return parse_security_infos(card_access)
    except (ParseError, AccessError):
        return None
