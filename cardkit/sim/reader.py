# SPDX-License-Identifier: Apache-2.0
"""Simulated readers with the quirks desks report (``--reader-quirk``), between host and chip.

=====================  =======================================================================
``no-extended``        the reader cannot carry extended-length APDUs: it answers ``6700`` itself
                       and the chip never sees the command
``max-apdu:N``         the reader drops command APDUs longer than N bytes or asking more than N
                       (ACS ACR1281/ACR1252 at 255): ``6700`` from the reader, chip untouched
``le256-refused``      the chip refuses READ BINARY with Le 256 or more (``6700``) but takes 255
``aa-le-max:N``        the chip answers INTERNAL AUTHENTICATE with no data when Le is above N
=====================  =======================================================================

Reader quirks wrap the card (:class:`QuirkyReader`); chip quirks set :class:`CardConfig` fields.
Every one must still read byte-identical and VALID (tests/sim/test_reader_quirks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardkit.apdu import CommandApdu
from cardkit.errors import InputError, ParseError

if TYPE_CHECKING:
    from cardkit.sim.card import CardConfig, SimCard

READER_QUIRKS = ("no-extended", "max-apdu", "le256-refused", "aa-le-max")
_REFUSED = b"\x67\x00"


@dataclass(frozen=True)
class ReaderQuirks:
    no_extended: bool = False
    max_apdu: int | None = None

    def refuses(self, raw: bytes) -> bool:
        try:
            cmd = CommandApdu.decode(raw)
        except (ParseError, ValueError):
            return False
        if self.no_extended and cmd.is_extended:
            return True
        if self.max_apdu is not None:
            return len(raw) > self.max_apdu or (cmd.le or 0) > max(self.max_apdu, 256)
        return False


class QuirkyReader:
    """A card seen through a reader with ``quirks``; otherwise the card itself (atr, reset...)."""

    def __init__(self, card: SimCard, quirks: ReaderQuirks) -> None:
        self.card = card
        self.quirks = quirks
        self.refused = 0

    def transmit(self, raw: bytes) -> bytes:
        if self.quirks.refuses(raw):
            self.refused += 1
            return _REFUSED
        return self.card.transmit(raw)

    def __getattr__(self, name: str):
        return getattr(self.card, name)


def apply_reader_quirks(specs: list[str], config: CardConfig) -> ReaderQuirks | None:
    """Set the chip quirks on ``config``; return the reader quirks (None when there are none)."""
    no_extended, max_apdu = False, None
    for spec in specs:
        name, _, arg = spec.partition(":")
        try:
            if name == "no-extended" and not arg:
                no_extended = True
            elif name == "max-apdu":
                max_apdu = int(arg)
                if max_apdu < 5:
                    raise ValueError
            elif name == "le256-refused" and not arg:
                config.max_le, config.le_error = 255, 0x6700
            elif name == "aa-le-max":
                config.aa_le_max = int(arg)
            else:
                raise ValueError
        except ValueError:
            raise InputError(f"bad reader quirk {spec!r} (one of: no-extended, max-apdu:N, le256-refused, aa-le-max:N)") from None
    if not no_extended and max_apdu is None:
        return None
    return ReaderQuirks(no_extended, max_apdu)
