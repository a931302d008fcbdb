# SPDX-License-Identifier: Apache-2.0
"""Logging set-up: a TRAFFIC level below DEBUG for raw APDUs, and redaction of personal data.

Personal data (names, ID numbers, MRZ, images, raw APDUs) is only logged at TRAFFIC level,
which the operator must turn on explicitly (``cardkit --traffic``).
"""

from __future__ import annotations

import logging

TRAFFIC = 5
logging.addLevelName(TRAFFIC, "TRAFFIC")


def traffic(logger: logging.Logger, msg: str, *args: object) -> None:
    """Log raw card traffic; only emitted when TRAFFIC is enabled."""
    if logger.isEnabledFor(TRAFFIC):
        logger.log(TRAFFIC, msg, *args)


def setup_logging(*, debug: bool = False, traffic: bool = False) -> None:
    level = TRAFFIC if traffic else (logging.DEBUG if debug else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("cardkit").setLevel(level)
