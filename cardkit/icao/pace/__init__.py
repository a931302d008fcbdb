# SPDX-License-Identifier: Apache-2.0
"""PACE (ICAO 9303-11 §4.4), terminal side: :func:`pace` and its mapping strategies."""

from cardkit.icao.pace.mapping import (
    CamResult,
    ChipAuthenticationMapping,
    FixedRandom,
    GenericMapping,
    IntegratedMapping,
    PaceRandom,
    SystemRandom,
)
from cardkit.icao.pace.protocol import PaceResult, choose_pace_info, general_authenticate, mse_set_at, pace

__all__ = [
    "CamResult",
    "ChipAuthenticationMapping",
    "FixedRandom",
    "GenericMapping",
    "IntegratedMapping",
    "PaceRandom",
    "PaceResult",
    "SystemRandom",
    "choose_pace_info",
    "general_authenticate",
    "mse_set_at",
    "pace",
]
