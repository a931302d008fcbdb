# SPDX-License-Identifier: Apache-2.0
"""What the simulated chip is configured with and what it remembers between commands.

Kept apart from :mod:`cardkit.sim.card` so that a protocol handler the chip always carries (BAC)
can name the chip's parts (:class:`Chip`) without importing the chip itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from cardkit.apdu import ResponseApdu
from cardkit.icao.keys import MrzKey
from cardkit.icao.sm import SmState
from cardkit.transport.atr import build_contactless_atr

# Contactless ATR whose historical bytes announce extended Lc/Le (ISO/IEC 7816-4 §8.1.1.2.7)
DEFAULT_ATR = build_contactless_atr(bytes.fromhex("8073000040"))


def R(sw: int, data: bytes = b"") -> ResponseApdu:
    return ResponseApdu(data, int(sw))


@dataclass
class CardConfig:
    mrz_key: MrzKey | None = None
    can: str | None = None
    bac_enabled: bool = True
    max_le: int = 65536  # larger Le answered per ``le_error``
    le_error: int = 0x6700  # or 0x6C00 (then the exact Le goes in SW2)
    eof_warning: bool = False  # answer 6282 when Le runs past the end of the file
    refuse_mf_select: bool = True  # the CCCD refuses SELECT MF (CCCD.md)
    refuse: dict[int, int] = field(default_factory=dict)  # FID -> status word answered for it (faults)
    atr: bytes = DEFAULT_ATR
    aa_min_form: bool = False  # RSA AA answers min(s, n - s) (fault ``aa-min-form``), else s
    aa_le_max: int | None = None  # INTERNAL AUTHENTICATE with Le above this: no data (quirk ``aa-le-max:N``)


@dataclass
class ChipState:
    df: str = "mf"  # "mf" or "app"
    ef: int | None = None
    rnd_ic: bytes | None = None
    access: bool = False
    pending: bytes = b""  # T=0 style: rest of a long response for GET RESPONSE
    # EAC (sim.ta_card): what PACE / CA / TA left for Terminal Authentication to use
    pace_chip_comp: bytes = b""  # Comp(chip's PACE ephemeral key): ID_PICC of TA v2
    ca_done: bool = False
    ta_pending: frozenset[int] = frozenset()  # v2: opened once CA uses the announced key
    ta_pending_comp: bytes = b""
    ta_granted: frozenset[int] = frozenset()  # DG3/DG4 opened by Terminal Authentication


class Chip(Protocol):
    """The parts of the chip a handler uses (``SimCard`` has them)."""

    config: CardConfig
    state: ChipState
    rng: Callable[[int], bytes]

    def establish(self, sm: SmState) -> None: ...
