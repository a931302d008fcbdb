# SPDX-License-Identifier: Apache-2.0
"""How a check-in matched the registry: one :class:`MatchOutcome`, compared by identity.

A ``str``-valued enum: the values are the strings journal rows, JSON output and the desk agent
have always carried ("exact_id", "candidates" ...), so stored rows read back unchanged.
"""

from __future__ import annotations

from enum import Enum


class MatchOutcome(str, Enum):
    EXACT_ID = "exact_id"  # one record with the card's 12-digit ID number
    EXACT_CMND = "exact_cmnd"  # the only record with the card's old 9-digit CMND
    CANDIDATES = "candidates"  # fuzzy candidates only: the operator must confirm one
    CANDIDATE_CONFIRMED = "candidate_confirmed"  # the operator confirmed a candidate
    NOT_FOUND = "not_found"  # a registry, and no record
    NO_REGISTRY = "no_registry"  # no registry configured

    def __str__(self) -> str:  # f-strings and format() give the value, as the journal stores it
        return self.value

    __format__ = str.__format__

    @property
    def matched(self) -> bool:
        """A record was matched (exactly, or confirmed by the operator)."""
        return self in (MatchOutcome.EXACT_ID, MatchOutcome.EXACT_CMND, MatchOutcome.CANDIDATE_CONFIRMED)
