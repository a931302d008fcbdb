# SPDX-License-Identifier: Apache-2.0
"""Why a card is not verified, in one plain sentence for reception staff (Vietnamese and English).

The decisive verdict is the first INVALID one in the order below (forgery before clone before
the rest), else the issuer, else the first required check that is not VALID. The sentence names
the consequence, not the cryptography; the verdict's own reason stays in the English text.
"""

from __future__ import annotations

from collections.abc import Iterable

from cardkit.icao import policy as p
from cardkit.icao.verdict import Status, Verdict

_CLONE_FILES = ("DG14", "DG15")


def _invalid_sentence(v: Verdict) -> str:
    check, reason = v.check, v.reason
    if "algorithm not allowed" in reason:
        return "Không xác thực được chữ ký trên chip: thuật toán không được phép"
    if "did not return it" in reason:
        name = check.partition(":")[2] or ("DG14" if check == p.CHIP_AUTHENTICATION else "DG15")
        if name in _CLONE_FILES or check in (p.CHIP_AUTHENTICATION, p.ACTIVE_AUTHENTICATION):
            return f"Chip có thể là bản sao: không trả tệp {name} mà dữ liệu ký số liệt kê"
        return f"Chip không trả tệp {name} mà dữ liệu ký số liệt kê: không xác thực được"
    if check.startswith("dg_hash:"):
        return f"Dữ liệu {check.partition(':')[2]} trên chip đã bị sửa: không khớp chữ ký số"
    return _BY_CHECK.get(check, "Thẻ không xác thực được: dữ liệu trên chip không hợp lệ")


_BY_CHECK = {
    p.SOD_STRUCTURE: "Dữ liệu ký số trên chip bị hỏng: không xác thực được",
    p.PASSIVE_AUTHENTICATION: "Chip không trả dữ liệu ký số (EF.SOD): không xác thực được",
    p.SOD_CONTENT: "Dữ liệu ký số trên chip đã bị sửa: không khớp chữ ký",
    p.SOD_SIGNATURE: "Chữ ký số trên chip không hợp lệ",
    p.DS_VALIDITY: "Chứng thư ký của thẻ đã hết hạn hoặc chưa có hiệu lực",
    p.DS_CHAIN: "Chứng thư ký của thẻ không do cơ quan cấp tin cậy ký",
    p.DS_REVOCATION: "Chứng thư ký của thẻ đã bị thu hồi",
    p.ISSUING_STATE: "Quốc gia cấp thẻ không khớp chứng thư ký",
    p.CHIP_AUTHENTICATION: "Chip có thể là bản sao: xác thực chip (CA) thất bại",
    p.ACTIVE_AUTHENTICATION: "Chip có thể là bản sao: xác thực chủ động (AA) thất bại",
    p.ACCESS_DOWNGRADE: "Phiên đọc bị hạ cấp bảo mật: chip hỗ trợ PACE nhưng đã đọc bằng BAC",
}
_ORDER = (p.SOD_STRUCTURE, p.PASSIVE_AUTHENTICATION, p.SOD_CONTENT, p.SOD_SIGNATURE, "dg_hash:",
          p.DS_CHAIN, p.DS_VALIDITY, p.DS_REVOCATION, p.ISSUING_STATE, p.CHIP_AUTHENTICATION,
          p.ACTIVE_AUTHENTICATION, p.ACCESS_DOWNGRADE)


def _rank(v: Verdict) -> int:
    return next((i for i, c in enumerate(_ORDER) if v.check.startswith(c)), len(_ORDER))


def not_verified_reason(overall: Status, verdicts: Iterable[Verdict], required: Iterable[str] = ()) -> tuple[str, str]:
    """(Vietnamese, English) sentence for a card whose overall status is not VALID."""
    vs = list(verdicts)
    bad = sorted((v for v in vs if v.status is Status.INVALID), key=_rank)
    if overall is Status.INVALID and bad:
        return _invalid_sentence(bad[0]), f"not genuine: {bad[0].check}: {bad[0].reason}"
    if overall is Status.UNKNOWN_ISSUER:
        v = next((v for v in vs if v.status is Status.UNKNOWN_ISSUER), None)
        return ("Chữ ký hợp lệ nhưng cơ quan cấp không có trong kho tin cậy: chưa xác thực được thẻ",
                f"issuer not trusted: {v.reason if v else 'CSCA not in the trust store'}")
    have = {v.check: v for v in vs}
    missing = next((c for c in required if c not in have or have[c].status is not Status.VALID), None)
    why = have[missing].reason if missing in have else "not performed"
    return (f"Chưa xác thực được chip: bước kiểm tra {missing or 'bắt buộc'} chưa thực hiện",
            f"not verified: {missing or 'a required check'}: {why}")
