# SPDX-License-Identifier: Apache-2.0
"""Shared by the BHYT tests (tests/insurance, tests/tui): a settable clock and a query helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cardkit.insurance.source import InsuranceQuery

NOW = datetime(2025, 7, 1, 2, 30, tzinfo=UTC)
OPERATOR = ("Nguyễn Thị Lan", "001099012345")


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


def q(card_id: str, name: str, dob: str, operator: tuple[str, str] = OPERATOR) -> InsuranceQuery:
    return InsuranceQuery(card_id, name, dob, operator[0], operator[1])
