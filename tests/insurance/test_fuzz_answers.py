# SPDX-License-Identifier: Apache-2.0
"""Length-preserving mutations of a gateway answer: a status or a typed error, nothing else."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.gateway import parse_expiry, status_from_answer
from cardkit.insurance.source import GatewayProtocolError
from cardkit.insurance.standin_data import by_answer

BASE = {"maKetQua": "004", "ghiChu": "x",
        **by_answer()[R.OLD_CARD_VALID_NEW_ISSUED].answer_fields(date(2025, 7, 1))}
KEYS = sorted(BASE)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KEYS), st.data())
def test_mutated_answer_field_is_a_status_or_a_typed_error(key, data):
    value = BASE[key]
    mutated = data.draw(st.text(alphabet="0123456789/-:ZT .aĐ", min_size=len(value), max_size=len(value)))
    answer = {**BASE, key: mutated}
    try:
        s = status_from_answer(answer, "stand-in")
    except GatewayProtocolError:
        return
    assert s.code.value == answer["maKetQua"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-:.TZ+", min_size=27, max_size=27))
def test_mutated_expiry_is_a_time_or_a_typed_error(text):
    try:
        value = parse_expiry(text)
    except GatewayProtocolError:
        return
    assert value.tzinfo is not None
