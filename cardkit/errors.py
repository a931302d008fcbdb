# SPDX-License-Identifier: Apache-2.0
"""The one error hierarchy of cardkit.

Every error a caller can see derives from :class:`CardkitError`. Each carries a short
English message for developers and, where it reaches desk staff, a Vietnamese one
(:attr:`CardkitError.message_vi`). Messages never contain personal data.
"""

from __future__ import annotations


class CardkitError(Exception):
    """Root of every error raised by cardkit."""

    message_vi: str = "Đã xảy ra lỗi khi xử lý thẻ."

    def __init__(self, message: str = "", *, message_vi: str | None = None) -> None:
        super().__init__(message)
        if message_vi is not None:
            self.message_vi = message_vi


class TransportError(CardkitError):
    """The reader or the link to the card failed."""

    message_vi = "Lỗi kết nối với đầu đọc thẻ."


class NoReaderError(TransportError):
    message_vi = "Không tìm thấy đầu đọc thẻ."


class NoCardError(TransportError):
    message_vi = "Chưa có thẻ trên đầu đọc."


class CardRemovedError(TransportError):
    """The card left the field during an exchange."""

    message_vi = "Thẻ đã bị rút ra trong khi đang đọc. Vui lòng đặt lại thẻ."


class ApduError(CardkitError):
    """The card answered a command with a status word other than success."""

    message_vi = "Thẻ từ chối lệnh."

    def __init__(self, message: str = "", *, sw: int = 0, data: bytes = b"") -> None:
        super().__init__(message or f"card returned status {sw:04X}")
        self.sw = sw
        self.data = data


class ParseError(CardkitError):
    """Bytes did not have the structure their format requires."""

    message_vi = "Dữ liệu trên thẻ không đúng định dạng."

    def __init__(
        self, message: str, *, what: str = "", tag: int | None = None, offset: int | None = None
    ) -> None:
        where = []
        if what:
            where.append(what)
        if tag is not None:
            where.append(f"tag {tag:X}")
        if offset is not None:
            where.append(f"offset {offset}")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.what = what
        self.tag = tag
        self.offset = offset


class SecureMessagingError(CardkitError):
    """A protected response failed its MAC or structure check: its data was discarded."""

    message_vi = "Kênh bảo mật với thẻ bị lỗi (sai mã xác thực). Dữ liệu đã bị loại bỏ."


class AccessError(CardkitError):
    """Access control (BAC, PACE, CA, TA) failed.

    ``step`` names the protocol step that failed, ``sw`` the status word when the card gave one.
    """

    message_vi = "Không mở được thẻ."

    def __init__(self, message: str, *, step: str = "", sw: int | None = None) -> None:
        super().__init__(message)
        self.step = step
        self.sw = sw


class WrongKeyError(AccessError):
    """The card rejected the access key (MRZ key, CAN, PIN): the typed data is wrong."""

    message_vi = "Sai khóa truy cập (số định danh, ngày sinh, ngày hết hạn hoặc CAN). Vui lòng kiểm tra lại."


class DomainParameterError(AccessError):
    """Domain parameters the card supplied (EF.CardAccess, DG14) are not a sound group: refused
    before any key is computed on them (BSI TR-03111 §3.1, ICAO 9303-11 §9.5)."""

    message_vi = "Tham số miền mật mã do thẻ cung cấp không hợp lệ: từ chối sử dụng (thẻ có thể bị làm giả)."


class VerificationError(CardkitError):
    """A verification could not be carried out (not: it failed; failures are verdicts)."""

    message_vi = "Không kiểm tra được tính xác thực của thẻ."


class AlgorithmNotAllowed(VerificationError):
    """A signed structure names an algorithm outside the allow-list (ICAO 9303-12 §4.4, BSI
    TR-03110): md5, an unknown OID, inconsistent RSASSA-PSS parameters. Always a verdict of INVALID."""

    message_vi = "Thuật toán không được phép trong dữ liệu ký số của thẻ."


class InputError(CardkitError):
    """Operator or file input (ID number, date, CSV row, QR text) is invalid."""

    message_vi = "Dữ liệu nhập không hợp lệ."


class FileAccessError(CardkitError):
    """A file or folder could not be read or written (missing, a folder, no permission, disk full).

    Build it with :meth:`of` from the :class:`OSError`; the message names the file, never its content.
    """

    message_vi = "Không đọc hoặc ghi được tệp."

    # errno name -> (English, Vietnamese) reason; anything else falls back to strerror.
    _REASONS = {
        "ENOENT": ("no such file or folder", "không tồn tại"),
        "EISDIR": ("is a folder, not a file", "là một thư mục, không phải tệp"),
        "ENOTDIR": ("a part of the path is not a folder", "một phần của đường dẫn không phải thư mục"),
        "EACCES": ("permission denied", "không có quyền truy cập"),
        "EPERM": ("operation not permitted", "không được phép"),
        "ENOSPC": ("no space left on the disk", "ổ đĩa đã đầy"),
        "EDQUOT": ("disk quota exceeded", "vượt hạn mức dung lượng đĩa"),
        "EROFS": ("the file system is read-only", "hệ thống tệp chỉ cho phép đọc"),
    }

    def __init__(self, message: str, *, message_vi: str | None = None, path: str = "",
                 writing: bool | None = False) -> None:
        super().__init__(message, message_vi=message_vi)
        self.path = path
        self.writing = writing

    @classmethod
    def of(cls, exc: OSError, path: object, *, writing: bool | None = False) -> FileAccessError:
        """``writing``: True for a write, False for a read, None when not known."""
        import errno

        name = errno.errorcode.get(exc.errno or 0, "")
        en, vi = cls._REASONS.get(name, (exc.strerror or type(exc).__name__, "lỗi vào/ra"))
        if writing and name == "ENOENT":
            en, vi = "its folder does not exist", "thư mục chứa nó không tồn tại"
        where = str(path)
        verb_en, verb_vi = {True: ("cannot write", "Không ghi được"), False: ("cannot read", "Không đọc được"),
                            None: ("cannot open", "Không mở được")}[writing]
        return cls(f"{verb_en} {where}: {en}", message_vi=f"{verb_vi} {where}: {vi}.", path=where, writing=writing)
