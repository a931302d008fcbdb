# SPDX-License-Identifier: Apache-2.0
"""The card sources now live in :mod:`cardkit.transport.sources` (one reader interface); kept as names here."""

from cardkit.transport.sources import CardSource, InProcessCardSource, PcscCardSource

__all__ = ["CardSource", "InProcessCardSource", "PcscCardSource"]
