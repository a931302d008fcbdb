# SPDX-License-Identifier: Apache-2.0
"""The data groups a desk shows, parsed once: the holder (DG13, else DG1) and the face (DG2).

:class:`CardData` wraps the raw files of one read and parses each group the first time it is
asked for, then keeps the parsed form (``functools.cached_property``): the CLI, the station,
the exports and the desk agent all ask the same object, so a card is parsed once per read.
An unparseable group is ``None`` (logged once, without its content); verification reports it.

The early previews (the name as soon as DG13 is in, the photo as soon as DG2 is) use
:func:`holder_of_dg13` and :func:`face_of_dg2` on the bytes of the file just read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TypeVar

from cardkit.errors import CardkitError
from cardkit.icao.lds.dg1 import Dg1, parse_dg1
from cardkit.icao.lds.dg2 import Dg2, parse_dg2
from cardkit.icao.lds.dg13 import Dg13, parse_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.person import PersonData

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _parsed(name: str, parse: Callable[[bytes], T], data: bytes | None) -> T | None:
    if not data:
        return None
    try:
        return parse(data)
    except CardkitError as exc:
        logger.warning("%s not parseable: %s", name, type(exc).__name__)
        return None


def holder_of_dg13(data: bytes | None) -> PersonData | None:
    """The holder as DG13 states it, or None when absent or unparseable."""
    return _parsed("DG13", lambda raw: parse_dg13(raw).to_person(), data)


def face_of_dg2(data: bytes | None) -> bytes | None:
    """The DG2 face image bytes (JPEG / JPEG 2000), or None when absent or unparseable."""
    dg2 = _parsed("DG2", parse_dg2, data)
    face = dg2.face if dg2 is not None else None
    return face.data if face else None


class CardData:
    """The parsed data groups of one read, each parsed on first use and kept."""

    def __init__(self, files: Mapping[DataGroup, bytes]) -> None:
        self._files = files

    @cached_property
    def dg1(self) -> Dg1 | None:
        return _parsed("DG1", parse_dg1, self._files.get(DataGroup.DG1))

    @cached_property
    def dg13(self) -> Dg13 | None:
        return _parsed("DG13", parse_dg13, self._files.get(DataGroup.DG13))

    @cached_property
    def dg2(self) -> Dg2 | None:
        return _parsed("DG2", parse_dg2, self._files.get(DataGroup.DG2))

    @cached_property
    def holder(self) -> PersonData | None:
        """The holder as the chip states it: DG13, else DG1 (the MRZ), else None."""
        try:
            if self._files.get(DataGroup.DG13):  # a DG13 that cannot be parsed gives no holder (no DG1 fallback)
                return self.dg13.to_person() if self.dg13 is not None else None
            return self.dg1.to_person() if self.dg1 is not None else None
        except CardkitError as exc:
            logger.warning("holder data not parseable: %s", type(exc).__name__)
            return None

    @cached_property
    def face(self) -> bytes | None:
        face = self.dg2.face if self.dg2 is not None else None
        return face.data if face else None

    @property
    def issuing_state(self) -> str | None:
        """The MRZ's issuing state ("VNM"), from DG1."""
        return self.dg1.mrz.issuing_state if self.dg1 is not None else None
