# SPDX-License-Identifier: Apache-2.0
"""The compared names are enums whose values are the strings journal rows and JSON always carried."""

import json

from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.session import FileEvent, FileEventKind
from cardkit.station.outcome import MatchOutcome


def test_match_outcome_values_are_the_stored_strings():
    assert [o.value for o in MatchOutcome] == [
        "exact_id", "exact_cmnd", "candidates", "candidate_confirmed", "not_found", "no_registry"]
    assert MatchOutcome("exact_cmnd") is MatchOutcome.EXACT_CMND
    assert json.dumps({"outcome": MatchOutcome.CANDIDATES}) == '{"outcome": "candidates"}'
    assert f"{MatchOutcome.NOT_FOUND:12}|" == "not_found   |"
    assert [o for o in MatchOutcome if o.matched] == [
        MatchOutcome.EXACT_ID, MatchOutcome.EXACT_CMND, MatchOutcome.CANDIDATE_CONFIRMED]


def test_file_event_kinds():
    assert [k.value for k in FileEventKind] == ["start", "progress", "done", "failed", "verify"]
    assert FileEvent(FileEventKind("done"), DataGroup.DG1).kind is FileEventKind.DONE
    assert str(FileEventKind.VERIFY) == "verify"
