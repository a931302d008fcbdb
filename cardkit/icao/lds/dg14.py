# SPDX-License-Identifier: Apache-2.0
"""DG14: SecurityInfos for Chip Authentication / PACE (ICAO 9303-10 §4.7.14, 9303-11 §9.2).

Only unwraps tag 6E; the SecurityInfos themselves are parsed by
:mod:`cardkit.icao.lds.security_infos` (shared with EF.CardAccess / EF.CardSecurity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardkit.tlv import encode_tlv, parse_single

if TYPE_CHECKING:  # imported when parsed: SecurityInfos pulls in EC arithmetic
    from cardkit.icao.lds.security_infos import SecurityInfos

TAG_DG14 = 0x6E


def parse_dg14(data: bytes) -> SecurityInfos:
    from cardkit.icao.lds.security_infos import parse_security_infos

    return parse_security_infos(parse_single(data, expected_tag=TAG_DG14).value)


def build_dg14(security_infos_der: bytes) -> bytes:
    """DG14 from the DER of a SecurityInfos SET."""
    return encode_tlv(TAG_DG14, security_infos_der)
