# SPDX-License-Identifier: Apache-2.0
"""Runtime faults of the simulated chip: the failures desks see, reproducible on demand.

Each spec, and the outcome a correct reader shows (pinned by tests/sim/test_faults.py):

=====================  =======================================================================
``remove-after:N``     card pulled after N APDUs -> CardRemovedError, nothing partial shown
``remove-during:DG2``  card pulled on the 2nd READ BINARY of DG2 -> CardRemovedError
``bad-mac[:N]``        Nth protected response (default 2) has a wrong MAC -> SecureMessagingError
``max-le:N[:6C]``      Le above N answered 6700 (or 6Cxx) -> reader steps down, read succeeds
``eof-6282``           Le past the end of a file answered with the bytes + 6282 -> read succeeds
``slow:MS``            every APDU delayed by MS milliseconds -> read succeeds, slower
``pace-only``          BAC refused (6D00) -> PACE works; ``--access bac`` fails clearly
``bac-forced``         EF.CardAccess stripped while the signed DG14 advertises PACE (a downgrade
                       by whoever answers for the card) -> BAC used, access_downgrade INVALID
``refuse:DGn[:SW]``    the chip answers SW (default 6A82) for DGn although EF.SOD lists it ->
                       dg_hash:DGn INVALID (DG14/DG15: CA/AA INVALID); ``refuse:DG3:6982`` is the
                       EAC-protected case: reported protected, VALID
``bad-domain:KIND``    EF.CardAccess offers PACE on explicit domain parameters that are unsound
                       (KIND: generator, order, cofactor, prime, singular, dh-order, dh-small) ->
                       DomainParameterError, the read refused (exit 2), nothing computed on them
``aa-min-form``        RSA AA answers min(s, n - s) (ISO/IEC 9796-2 §B.6) -> AA still VALID
=====================  =======================================================================

``bac-only`` (a genuine chip without PACE) is a personalisation fault now: its DG14 must not
advertise PACE, which is signed.

Faults of the card's content (cloned chip, altered DG, untrusted CSCA...) are applied when the
card is personalised: see ``cardkit.sim.personal_faults``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cardkit.errors import CardRemovedError, InputError

if TYPE_CHECKING:
    from cardkit.sim.card import CardConfig, SimCard

RUNTIME_FAULTS = ("remove-after", "remove-during", "bad-mac", "max-le", "eof-6282", "slow", "pace-only",
                  "bac-forced", "refuse", "bad-domain", "aa-min-form")


def split_faults(specs) -> tuple[list[str], list[str]]:
    """(runtime faults, personalisation faults) of a list of specs."""
    runtime = [f for f in specs if f.partition(":")[0] in RUNTIME_FAULTS]
    return runtime, [f for f in specs if f not in runtime]


class CardPulled(CardRemovedError):
    """Raised by the simulated card when a fault pulls it from the field."""


@dataclass
class RuntimeFaults:
    remove_after: int | None = None
    remove_during: int | None = None  # FID of the file being read
    bad_mac: int | None = None
    slow_ms: float = 0.0
    _reads_of_target: int = field(default=0, repr=False)
    _protected: int = field(default=0, repr=False)

    def before_command(self, card: SimCard, raw: bytes) -> bytes | None:
        if self.slow_ms:
            time.sleep(self.slow_ms / 1000)
        if self.remove_after is not None and card.apdu_count > self.remove_after:
            raise CardPulled("simulated card pulled (remove-after)")
        if (self.remove_during is not None and len(raw) > 1 and raw[1] in (0xB0, 0xB1)
                and (card.state.ef == self.remove_during or (raw[2] & 0x80 and raw[2] & 0x1F == self.remove_during & 0xFF))):
            self._reads_of_target += 1
            if self._reads_of_target >= 2:
                raise CardPulled("simulated card pulled (remove-during)")
        return None

    def after_response(self, card: SimCard, raw: bytes, out: bytes, protected: bool) -> bytes:
        if protected:
            self._protected += 1
            if self.bad_mac is not None and self._protected == self.bad_mac:
                corrupted = bytearray(out)
                corrupted[-3] ^= 0x01  # last byte of DO'8E' (the MAC) before the SW
                return bytes(corrupted)
        return out


def apply_faults(specs: list[str], config: CardConfig, mf_files: dict[int, bytes]) -> tuple[RuntimeFaults | None, list[str]]:
    """Apply runtime fault specs to ``config``/``mf_files``; return the runtime hook and the
    specs left over (content faults, for the issuer)."""
    from cardkit.icao.lds.ef import DataGroup

    runtime = RuntimeFaults()
    used = False
    rest = []
    for spec in specs:
        name, _, arg = spec.partition(":")
        try:
            if name == "remove-after":
                runtime.remove_after = int(arg)
            elif name == "remove-during":
                runtime.remove_during = DataGroup[arg.upper()].fid
            elif name == "bad-mac":
                runtime.bad_mac = int(arg) if arg else 2
            elif name == "slow":
                runtime.slow_ms = float(arg)
            elif name == "max-le":
                limit, _, sw = arg.partition(":")
                config.max_le = int(limit)
                config.le_error = 0x6C00 if sw.upper() in ("6C", "6CXX") else 0x6700
                continue
            elif name == "eof-6282":
                config.eof_warning = True
                continue
            elif name == "bac-forced":
                mf_files.pop(DataGroup.CARD_ACCESS.fid, None)
                continue
            elif name == "refuse":
                dg, _, sw = arg.partition(":")
                config.refuse[DataGroup[dg.upper()].fid] = int(sw or "6A82", 16)
                continue
            elif name == "bad-domain":
                from cardkit.sim.bad_domains import card_access_with

                mf_files[DataGroup.CARD_ACCESS.fid] = card_access_with(arg)
                continue
            elif name == "pace-only":
                config.bac_enabled = False
                continue
            elif name == "aa-min-form":
                config.aa_min_form = True
                continue
            else:
                rest.append(spec)
                continue
        except (ValueError, KeyError):
            raise InputError(f"bad fault spec {spec!r}") from None
        used = True
    return (runtime if used else None), rest
