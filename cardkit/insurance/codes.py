# SPDX-License-Identifier: Apache-2.0
"""The gateway's result codes (``maKetQua``), their official meaning and what the desk does.

Source: BHXH Công văn 1923/BHXH-CNTT (20/06/2024), Phụ lục 03, the table of ``maKetQua`` of the
card check ``KQNhanLichSuKCB2024``. The desk action and the :class:`Outcome` class are this
project's reading of it (fail closed: only ``000`` is usable as is).
"""

from __future__ import annotations

from enum import Enum


class Outcome(str, Enum):
    """What a result means for the desk; also the exit status of ``cardkit bhyt check``."""

    USABLE = "usable"  # exit 0: the card may be accepted as it is
    NOT_AS_IS = "not_as_is"  # exit 1: the desk must not accept the card as it is
    LOOKUP_FAILED = "lookup_failed"  # exit 2: the lookup says nothing about the card

    @property
    def exit_status(self) -> int:
        return {Outcome.USABLE: 0, Outcome.NOT_AS_IS: 1, Outcome.LOOKUP_FAILED: 2}[self]


class DeskAction(str, Enum):
    ACCEPT = "accept"
    CHECK_PAPERS = "check_papers"  # managed by the Defence / Public Security social insurance
    USE_NEW_CARD = "use_new_card"  # show the new code and validity
    REFUSE = "refuse"  # not covered: the patient pays or sorts it out with BHXH
    FIX_QUERY = "fix_query"  # re-type the code / name / date of birth and look up again
    FIX_OPERATOR = "fix_operator"  # the operator's name / ID number registered at BHXH
    CHECK_BIRTH_PAPERS = "check_birth_papers"  # a child: birth certificate / birth registration
    RETRY = "retry"  # the gateway failed: look up again later, the check-in goes on


_U, _N, _F = Outcome.USABLE, Outcome.NOT_AS_IS, Outcome.LOOKUP_FAILED
_A = DeskAction


class ResultCode(str, Enum):
    """``maKetQua``. ``.meaning_vi`` is the official wording, ``.meaning_en`` its translation."""

    OK = "000"
    DEFENCE = "001"
    PUBLIC_SECURITY = "002"
    OLD_CARD_EXPIRED_NEW_ISSUED = "003"
    OLD_CARD_VALID_NEW_ISSUED = "004"
    EXPIRED = "010"
    NOT_FOUND = "050"
    WRONG_CODE = "051"
    WRONG_PROVINCE = "052"
    WRONG_BENEFIT = "053"
    OPERATOR_NOT_REGISTERED = "054"
    OPERATOR_NAME_MISMATCH = "055"
    WRONG_NAME = "060"
    WRONG_NAME_INITIALS_RIGHT = "061"
    WRONG_DOB = "070"
    CARD_DATA_ERROR = "100"
    SERVER_ERROR = "101"
    WITHDRAWN = "110"
    REDUCED = "120"
    REDUCED_MOVED_PROVINCE = "121"
    REDUCED_WITHIN_PROVINCE = "122"
    REDUCED_REJOINED = "123"
    REDUCED_STOPPED = "124"
    CHILD_WITHOUT_CARD = "130"
    BAD_PARAMETERS = "205"
    AUTHENTICATION = "401"

    @property
    def meaning_vi(self) -> str:
        return _TABLE[self][0]

    @property
    def meaning_en(self) -> str:
        return _TABLE[self][1]

    @property
    def action(self) -> DeskAction:
        return _TABLE[self][2]

    @property
    def outcome(self) -> Outcome:
        return _TABLE[self][3]


_TABLE: dict[ResultCode, tuple[str, str, DeskAction, Outcome]] = {
    ResultCode.OK: ("Thông tin thẻ chính xác", "card data correct", _A.ACCEPT, _U),
    ResultCode.DEFENCE: ("Thẻ do BHXH Bộ Quốc phòng quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
                         "card managed by the Ministry of Defence social insurance: check the card and papers",
                         _A.CHECK_PAPERS, _N),
    ResultCode.PUBLIC_SECURITY: ("Thẻ do BHXH Bộ Công an quản lý, đề nghị kiểm tra thẻ và thông tin giấy tờ tùy thân",
                                 "card managed by the Ministry of Public Security social insurance: check the card "
                                 "and papers", _A.CHECK_PAPERS, _N),
    ResultCode.OLD_CARD_EXPIRED_NEW_ISSUED: ("Thẻ cũ hết giá trị sử dụng nhưng đã được cấp thẻ mới",
                                             "old card expired, a new card has been issued", _A.USE_NEW_CARD, _N),
    ResultCode.OLD_CARD_VALID_NEW_ISSUED: ("Thẻ cũ còn giá trị sử dụng nhưng đã được cấp thẻ mới",
                                           "old card still valid, a new card has been issued", _A.USE_NEW_CARD, _N),
    ResultCode.EXPIRED: ("Thẻ hết giá trị sử dụng", "card expired", _A.REFUSE, _N),
    ResultCode.NOT_FOUND: ("Không tìm thấy thông tin về thẻ", "no card found", _A.REFUSE, _N),
    ResultCode.WRONG_CODE: ("Mã thẻ không đúng", "wrong card code", _A.FIX_QUERY, _N),
    ResultCode.WRONG_PROVINCE: ("Mã tỉnh cấp thẻ (ký tự thứ 4, 5 của mã thẻ) không đúng",
                                "wrong province code (characters 4-5 of the card code)", _A.FIX_QUERY, _N),
    ResultCode.WRONG_BENEFIT: ("Mã quyền lợi thẻ (ký tự thứ 3 của mã thẻ) không đúng",
                               "wrong benefit code (character 3 of the card code)", _A.FIX_QUERY, _N),
    ResultCode.OPERATOR_NOT_REGISTERED: ("Cán bộ tra cứu chưa được đăng ký với cơ quan BHXH",
                                         "the operator is not registered with BHXH", _A.FIX_OPERATOR, _F),
    ResultCode.OPERATOR_NAME_MISMATCH: ("Họ tên cán bộ tra cứu không khớp với số CCCD đã đăng ký",
                                        "the operator's name does not match the registered ID number",
                                        _A.FIX_OPERATOR, _F),
    ResultCode.WRONG_NAME: ("Thẻ sai họ tên", "wrong name", _A.FIX_QUERY, _N),
    ResultCode.WRONG_NAME_INITIALS_RIGHT: ("Thẻ sai họ tên (đúng ký tự đầu)", "wrong name (first letters right)",
                                           _A.FIX_QUERY, _N),
    ResultCode.WRONG_DOB: ("Thẻ sai ngày sinh", "wrong date of birth", _A.FIX_QUERY, _N),
    ResultCode.CARD_DATA_ERROR: ("Lỗi khi lấy dữ liệu sổ thẻ", "error reading the card data", _A.RETRY, _F),
    ResultCode.SERVER_ERROR: ("Lỗi server", "server error", _A.RETRY, _F),
    ResultCode.WITHDRAWN: ("Thẻ đã thu hồi", "card withdrawn", _A.REFUSE, _N),
    ResultCode.REDUCED: ("Thẻ đã báo giảm", "card reduced (coverage ended)", _A.REFUSE, _N),
    ResultCode.REDUCED_MOVED_PROVINCE: ("Thẻ đã báo giảm. Giảm chuyển ngoại tỉnh",
                                        "card reduced: moved to another province", _A.REFUSE, _N),
    ResultCode.REDUCED_WITHIN_PROVINCE: ("Thẻ đã báo giảm. Giảm chuyển nội tỉnh",
                                         "card reduced: moved within the province", _A.REFUSE, _N),
    ResultCode.REDUCED_REJOINED: ("Thẻ đã báo giảm. Thu hồi do tăng lại cùng đơn vị",
                                  "card reduced: withdrawn as re-joined with the same employer", _A.REFUSE, _N),
    ResultCode.REDUCED_STOPPED: ("Thẻ đã báo giảm. Ngừng tham gia", "card reduced: stopped contributing",
                                 _A.REFUSE, _N),
    ResultCode.CHILD_WITHOUT_CARD: ("Trẻ em không xuất trình thẻ", "child without a card",
                                    _A.CHECK_BIRTH_PAPERS, _N),
    ResultCode.BAD_PARAMETERS: ("Lỗi sai định dạng tham số", "bad parameters", _A.FIX_QUERY, _F),
    ResultCode.AUTHENTICATION: ("Lỗi xác thực tài khoản", "authentication failed", _A.RETRY, _F),
}

ACTION_TEXT: dict[DeskAction, tuple[str, str]] = {
    DeskAction.ACCEPT: ("Tiếp nhận theo thẻ", "accept the card"),
    DeskAction.CHECK_PAPERS: ("Kiểm tra thẻ và giấy tờ tùy thân", "check the card and identity papers"),
    DeskAction.USE_NEW_CARD: ("Dùng mã thẻ mới và hạn mới", "use the new card code and validity"),
    DeskAction.REFUSE: ("Không tiếp nhận theo BHYT", "do not accept under BHYT"),
    DeskAction.FIX_QUERY: ("Kiểm tra lại mã thẻ, họ tên, ngày sinh", "check the code, name and date of birth"),
    DeskAction.FIX_OPERATOR: ("Kiểm tra tài khoản cán bộ tra cứu", "check the operator's registration"),
    DeskAction.CHECK_BIRTH_PAPERS: ("Kiểm tra giấy chứng sinh / khai sinh", "check the birth certificate"),
    DeskAction.RETRY: ("Tra cứu lại sau", "look up again later"),
}
