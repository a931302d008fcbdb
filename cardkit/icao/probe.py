# SPDX-License-Identifier: Apache-2.0
"""What a reader + card pair supports, found without any key (``cardkit readers --probe``).

Runs the same probe the session runs first (:mod:`cardkit.icao.files`): a plain READ BINARY of
EF.CardAccess with extended Le (65536, then 1024) and short APDUs when refused. Nothing under
secure messaging, nothing personal: EF.CardAccess is public (9303-11 §9.2.11).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cardkit.errors import ApduError
from cardkit.icao.files import FileReader, forget_learned, learned_limits
from cardkit.icao.lds.ef import DataGroup
from cardkit.transport.atr import supports_extended_length
from cardkit.transport.base import ApduProtocol, Connection


@dataclass(frozen=True)
class ProbeReport:
    reader: str
    atr: str
    atr_extended: bool  # the card's ATR claims extended Lc/Le (ISO/IEC 7816-4 §8.1.1.2.7)
    reader_extended: bool  # the transport claims it carries extended APDUs
    extended: bool  # an extended READ BINARY went through and was answered
    block: int  # the READ BINARY size the reader learned
    card_access: int | None  # EF.CardAccess size (PACE offered), None when absent
    apdus: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def probe(connection: Connection) -> ProbeReport:
    name = getattr(connection, "name", "")
    atr = connection.atr
    atr_ext = supports_extended_length(atr)
    forget_learned()  # probe afresh, as a new desk would
    proto = ApduProtocol(connection)
    files = FileReader(proto.send, extended=atr_ext and connection.supports_extended_length, key=(name, atr))
    dg = DataGroup.CARD_ACCESS
    try:
        card_access: int | None = len(files.read_file(dg.fid, dg.sfi))
    except ApduError:
        card_access = None
    learned = learned_limits(name, atr)
    return ProbeReport(
        reader=name, atr=atr.hex(), atr_extended=atr_ext, reader_extended=connection.supports_extended_length,
        extended=learned.extended if learned else files.extended, block=learned.block if learned else files.block,
        card_access=card_access, apdus=proto.stats.apdus,
    )
