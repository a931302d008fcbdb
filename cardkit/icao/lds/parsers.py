# SPDX-License-Identifier: Apache-2.0
"""One entry point to parse any EF of the eMRTD by its :class:`DataGroup`."""

from __future__ import annotations

from importlib import import_module

from cardkit.icao.lds.ef import DataGroup

_PARSERS = {
    DataGroup.COM: ("com", "parse_com"), DataGroup.DG1: ("dg1", "parse_dg1"), DataGroup.DG2: ("dg2", "parse_dg2"),
    DataGroup.DG11: ("dg11", "parse_dg11"), DataGroup.DG12: ("dg12", "parse_dg12"),
    DataGroup.DG13: ("dg13", "parse_dg13"), DataGroup.DG14: ("dg14", "parse_dg14"),
    DataGroup.DG15: ("dg15", "parse_dg15"), DataGroup.DG16: ("dg16", "parse_dg16"),
    DataGroup.SOD: ("sod", "parse_sod"),
}


def has_parser(dg: DataGroup) -> bool:
    return dg in _PARSERS


def parse_file(dg: DataGroup, data: bytes) -> object:
    """Parse ``data`` as ``dg``; raises ParseError (or KeyError if no parser exists: see has_parser)."""
    module, func = _PARSERS[dg]
    return getattr(import_module(f"cardkit.icao.lds.{module}"), func)(data)
