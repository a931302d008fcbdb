# SPDX-License-Identifier: Apache-2.0
"""Every result code of the gateway's table, through the real HTTP stand-in and the client."""

from __future__ import annotations

from datetime import date

import pytest
from bhyt_support import q

from cardkit.insurance.codes import Outcome
from cardkit.insurance.codes import ResultCode as R
from cardkit.insurance.standin_data import by_answer

TODAY = date(2025, 7, 1)
AN = ("001090012345", "Nguyễn Văn An", "01/01/1990")
INV = by_answer()

# (query, expected code, expected desk outcome today)
CASES = [
    (AN, R.OK, Outcome.USABLE),
    (("DN4010123456789", "Nguyễn Văn An", "01/01/1990"), R.OK, Outcome.USABLE),
    (("0123456789", "NGUYỄN VĂN AN", "1990"), R.OK, Outcome.USABLE),  # BHXH number, year only, upper case
    (("DN4790123456789", "Nguyễn Văn An", "01/01/1990"), R.WRONG_PROVINCE, Outcome.NOT_AS_IS),
    (("DN2010123456789", "Nguyễn Văn An", "01/01/1990"), R.WRONG_BENEFIT, Outcome.NOT_AS_IS),
    (("HC1790123456789", "Nguyễn Văn An", "01/01/1990"), R.WRONG_CODE, Outcome.NOT_AS_IS),
    (("001090099999", "Nguyễn Văn An", "01/01/1990"), R.NOT_FOUND, Outcome.NOT_AS_IS),
    (("001090012345", "Trần Văn Bình", "01/01/1990"), R.WRONG_NAME, Outcome.NOT_AS_IS),
    (("001090012345", "Nguyễn Văn Ân", "01/01/1990"), R.WRONG_NAME_INITIALS_RIGHT, Outcome.NOT_AS_IS),
    (("001090012345", "Nguyễn Văn An", "02/01/1990"), R.WRONG_DOB, Outcome.NOT_AS_IS),
    (("001090012345", "Nguyễn Văn An", "1991"), R.WRONG_DOB, Outcome.NOT_AS_IS),
] + [((c.id_number, c.full_name, c.dob), code, code.outcome) for code, c in INV.items() if code is not R.OK]


@pytest.mark.parametrize("query,code,outcome", CASES, ids=[f"{c.value}-{i}" for i, (_, c, _) in enumerate(CASES)])
def test_result_code_through_the_standin(client, query, code, outcome):
    status = client.check(q(*query))
    assert status.code is code
    assert status.outcome(TODAY) is outcome
    assert status.source == "stand-in"


def test_every_code_of_the_table_is_answered_by_the_standin(client):
    from cardkit.insurance.source import InsuranceQuery

    seen = {c for _, c, _ in CASES}
    seen.add(client.check(InsuranceQuery(*AN, "Nguyễn Thị Lan", "079000000000")).code)  # operator unknown
    seen.add(client.check(InsuranceQuery(*AN, "Nguyễn Thị Hoa", "001099012345")).code)  # wrong operator name
    assert seen - {R.BAD_PARAMETERS, R.AUTHENTICATION} == set(R) - {R.BAD_PARAMETERS, R.AUTHENTICATION}


def test_operator_not_registered_and_name_mismatch_are_failed_lookups(client):
    from cardkit.insurance.source import InsuranceQuery

    s1 = client.check(InsuranceQuery(*AN, "Nguyễn Thị Lan", "079000000000"))
    s2 = client.check(InsuranceQuery(*AN, "Nguyễn Thị Hoa", "001099012345"))
    assert (s1.code, s1.outcome(TODAY)) == (R.OPERATOR_NOT_REGISTERED, Outcome.LOOKUP_FAILED)
    assert (s2.code, s2.outcome(TODAY)) == (R.OPERATOR_NAME_MISMATCH, Outcome.LOOKUP_FAILED)


def test_usable_answer_carries_every_field(client):
    s = client.check(q(*AN))
    assert (s.card_code, s.full_name, s.dob, s.sex) == ("DN4010123456789", "Nguyễn Văn An", "01/01/1990", "Nam")
    assert (s.valid_from, s.valid_to, s.five_years) == (date(2025, 1, 1), date(2025, 12, 31), date(2028, 1, 1))
    assert (s.facility_code, s.social_insurance_no, s.new_card) == ("01001", "0123456789", None)
    assert s.note == "Thông tin thẻ chính xác"


def test_new_card_info_of_003_and_004(client):
    for code in (R.OLD_CARD_EXPIRED_NEW_ISSUED, R.OLD_CARD_VALID_NEW_ISSUED):
        c = INV[code]
        s = client.check(q(c.id_number, c.full_name, c.dob))
        assert s.code is code and s.old_code == c.card_code
        assert (s.new_card.code, s.new_card.valid_from, s.new_card.valid_to) == (c.new_code, date(2025, 1, 1),
                                                                                  date(2026, 12, 31))
        assert (s.new_card.facility_code, s.new_card.facility_name) == ("01002", "Bệnh viện Bạch Mai")


def test_000_outside_its_validity_is_not_usable_as_is(client):
    s = client.check(q(*AN))
    assert s.outcome(date(2026, 1, 1)) is Outcome.NOT_AS_IS and s.outcome(date(2025, 12, 31)) is Outcome.USABLE


def test_visit_history_answers_form_encoded(client, standin):
    code, visits = client.history(q(*AN))
    assert code is R.OK and visits == [{"maCSKCB": "01001", "ngayVao": "202503100800", "ngayRa": "202503101130",
                                        "tinhTrang": "1"}]
    assert standin.requests[-1].content_type == "application/x-www-form-urlencoded"
