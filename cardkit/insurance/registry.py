# SPDX-License-Identifier: Apache-2.0
"""The registry-backed source: what the resident registry file says of the person's BHYT card
(the station's insurance panel before the gateway). No clinic trusts it alone: its answers carry
``source="registry"`` and the panel says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from cardkit.insurance.codes import ResultCode
from cardkit.insurance.source import InsuranceLookupError, InsuranceQuery, InsuranceStatus
from cardkit.registry.row import Resident
from cardkit.registry.store import Store


def status_of(r: Resident | None, today: date) -> InsuranceStatus:
    """A registry row as an answer: no row or no code ``050``; past its end ``010``; else ``000``
    with the row's validity (the desk's judgment then checks the dates, see ``outcome``)."""
    if r is None or not r.insurance_code:
        return InsuranceStatus(ResultCode.NOT_FOUND, "registry", ResultCode.NOT_FOUND.meaning_vi)
    code = ResultCode.EXPIRED if r.insurance_valid_to and r.insurance_valid_to < today else ResultCode.OK
    return InsuranceStatus(
        code, "registry", code.meaning_vi, card_code=r.insurance_code, full_name=r.full_name,
        dob=r.date_of_birth.strftime("%d/%m/%Y") if r.date_of_birth else None,
        sex=r.sex.vi if r.sex else None, facility_name=r.insurance_facility, valid_from=r.insurance_valid_from,
        valid_to=r.insurance_valid_to)


class RegistryInsuranceSource:
    name = "registry"

    def __init__(self, open_store: Callable[[], Store], clock: Callable[[], datetime] | None = None) -> None:
        self.open_store = open_store
        self.clock = clock or (lambda: datetime.now().astimezone())

    def check(self, query: InsuranceQuery) -> InsuranceStatus:
        if len(query.card_id) != 12 or not query.card_id.isdigit():
            raise InsuranceLookupError("the registry is looked up by the 12-digit ID number",
                                       message_vi="Sổ đăng ký chỉ tra được theo số định danh 12 số.")
        store = self.open_store()
        try:
            resident = store.get(query.card_id)
        finally:
            store.close()
        return status_of(resident, self.clock().date())
