# SPDX-License-Identifier: Apache-2.0
"""Discrepancies: one typed, graded finding per field that two sources state differently.

Used by every cross-check (chip vs QR, card vs registry, ID-number structure) so the station,
the CLI and the exports show them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    BLOCKING = "blocking"  # the check-in must not proceed without the operator's decision
    WARNING = "warning"  # data is probably wrong ("dữ liệu chưa đúng"): flag for correction
    INFO = "info"  # a difference of form only (spelling variant, old address name)


@dataclass(frozen=True)
class Discrepancy:
    """``kind`` is a stable machine code (e.g. ``name_mismatch``, ``card_expired``)."""

    kind: str
    field: str
    severity: Severity
    source_a: str  # e.g. "chip", "qr", "registry", "id_number"
    value_a: str | None
    source_b: str
    value_b: str | None
    message_vi: str
    message_en: str

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "field": self.field,
            "severity": self.severity.value,
            "source_a": self.source_a,
            "value_a": self.value_a,
            "source_b": self.source_b,
            "value_b": self.value_b,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
