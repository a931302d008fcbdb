# SPDX-License-Identifier: Apache-2.0
"""Every answer the agent refuses or fails with: a typed code, an HTTP status, English and
Vietnamese messages (one JSON shape: ``{"error": {"code", "message", "message_vi", "detail"}}``).

Library errors (:class:`~cardkit.errors.CardkitError`) map onto a code by their type; the
Vietnamese text is the error's own ``message_vi``, so the desk reads the same sentence as in
the station. Messages never carry personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cardkit import errors as e


class Code(str, Enum):
    BUSY = "busy"
    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    WRONG_KEY = "wrong_key"
    SECURE_MESSAGING = "secure_messaging"
    ACCESS_FAILED = "access_failed"
    READER_FAILED = "reader_failed"
    INVALID_REQUEST = "invalid_request"
    NO_QR = "no_qr"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    BAD_HOST = "bad_host"
    ORIGIN_REFUSED = "origin_refused"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    PAIRING_DENIED = "pairing_denied"
    PAIRING_TIMEOUT = "pairing_timeout"
    PAIRING_PENDING = "pairing_pending"
    PAIRING_ON_CLI = "pairing_on_cli"
    JOURNAL_FAILED = "journal_failed"
    INTERNAL = "internal"


# code -> (HTTP status, English, Vietnamese)
TEXT: dict[Code, tuple[int, str, str]] = {
    Code.BUSY: (409, "The reader is busy with another read; try again when it ends.",
                "Đầu đọc đang bận với một lượt đọc khác. Vui lòng thử lại khi lượt đọc kết thúc."),
    Code.NO_READER: (503, "No card reader found.", "Không tìm thấy đầu đọc thẻ."),
    Code.NO_CARD: (409, "No card on the reader.", "Chưa có thẻ trên đầu đọc."),
    Code.CARD_REMOVED: (409, "The card was pulled during the read; put it back.",
                        "Thẻ đã bị rút ra trong khi đang đọc. Vui lòng đặt lại thẻ."),
    Code.WRONG_KEY: (422, "The card refused the key (ID number, dates or CAN); check it.",
                     "Sai khóa truy cập (số định danh, ngày sinh, ngày hết hạn hoặc CAN). Vui lòng kiểm tra lại."),
    Code.SECURE_MESSAGING: (502, "The secure channel with the card failed; nothing was kept.",
                            "Kênh bảo mật với thẻ bị lỗi (sai mã xác thực). Dữ liệu đã bị loại bỏ."),
    Code.ACCESS_FAILED: (502, "The card could not be opened.", "Không mở được thẻ."),
    Code.READER_FAILED: (502, "The link to the card failed.", "Lỗi kết nối với đầu đọc thẻ."),
    Code.INVALID_REQUEST: (400, "The request is not valid.", "Yêu cầu không hợp lệ."),
    Code.NO_QR: (409, "No QR code was scanned.", "Chưa quét mã QR trên thẻ."),
    Code.TOO_LARGE: (413, "The request is too large.", "Yêu cầu quá lớn."),
    Code.RATE_LIMITED: (429, "Too many requests; slow down.", "Quá nhiều yêu cầu. Vui lòng thử lại sau."),
    Code.BAD_HOST: (421, "Host not allowed: call the agent as 127.0.0.1, localhost or [::1] with its port.",
                    "Địa chỉ máy chủ không hợp lệ: chỉ gọi qua 127.0.0.1, localhost hoặc [::1]."),
    Code.ORIGIN_REFUSED: (403, "This web origin is not allowed to use the card reader.",
                          "Trang web này không được phép dùng đầu đọc thẻ."),
    Code.UNAUTHORIZED: (401, "A valid pairing token is needed (cardkit agent pair ORIGIN).",
                        "Cần mã ghép nối hợp lệ (cardkit agent pair ORIGIN)."),
    Code.NOT_FOUND: (404, "Not found.", "Không tìm thấy."),
    Code.PAIRING_DENIED: (403, "The desk refused to let this web origin read cards.",
                          "Quầy tiếp nhận đã từ chối cho trang web này đọc thẻ."),
    Code.PAIRING_TIMEOUT: (403, "Nobody approved the pairing at the desk in time; ask again.",
                           "Quầy tiếp nhận chưa đồng ý kịp thời. Vui lòng yêu cầu ghép nối lại."),
    Code.PAIRING_PENDING: (409, "A pairing request is already waiting at the desk.",
                           "Đã có một yêu cầu ghép nối đang chờ quầy tiếp nhận."),
    Code.PAIRING_ON_CLI: (403, "This agent pairs web origins only with `cardkit agent pair ORIGIN` on the desk PC.",
                          "Dịch vụ này chỉ ghép nối bằng lệnh `cardkit agent pair ORIGIN` trên máy của quầy."),
    Code.JOURNAL_FAILED: (500, "The check-in could not be written to the journal.",
                          "Không ghi được lượt tiếp nhận vào nhật ký."),
    Code.INTERNAL: (500, "Internal error of the agent.", "Lỗi nội bộ của dịch vụ đọc thẻ."),
}


@dataclass(frozen=True)
class Problem:
    code: Code
    detail: str = ""
    message_vi: str | None = None

    @property
    def status(self) -> int:
        return TEXT[self.code][0]

    def to_dict(self) -> dict[str, dict[str, str]]:
        _, en, vi = TEXT[self.code]
        return {"error": {"code": self.code.value, "message": en, "message_vi": self.message_vi or vi,
                          "detail": self.detail}}


class AgentError(e.CardkitError):
    """An agent-level refusal (busy, no QR scanned...) carrying its :class:`Code`."""

    def __init__(self, code: Code, detail: str = "") -> None:
        _, en, vi = TEXT[code]
        super().__init__(detail or en, message_vi=vi)
        self.code = code


# Most specific first: the first isinstance match wins.
_BY_TYPE: tuple[tuple[type[BaseException], Code], ...] = (
    (e.WrongKeyError, Code.WRONG_KEY),
    (e.CardRemovedError, Code.CARD_REMOVED),
    (e.NoCardError, Code.NO_CARD),
    (e.NoReaderError, Code.NO_READER),
    (e.SecureMessagingError, Code.SECURE_MESSAGING),
    (e.AccessError, Code.ACCESS_FAILED),
    (e.TransportError, Code.READER_FAILED),
    (e.ApduError, Code.READER_FAILED),
    (e.InputError, Code.INVALID_REQUEST),
)


def problem_of(exc: BaseException) -> Problem:
    """The typed answer for an error raised while serving a request."""
    if isinstance(exc, AgentError):
        return Problem(exc.code, str(exc))
    for kind, code in _BY_TYPE:
        if isinstance(exc, kind):
            own_vi = exc.message_vi if code is Code.INVALID_REQUEST else None
            return Problem(code, str(exc), own_vi)
    if isinstance(exc, e.CardkitError):
        return Problem(Code.READER_FAILED, str(exc))
    return Problem(Code.INTERNAL)
