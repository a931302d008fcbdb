# SPDX-License-Identifier: Apache-2.0
"""What the operator typed or scanned -> the access key (docs/CCCD.md "Access keys").

- a 12-digit ID number -> PACE with CAN = its last 6 digits (plus the MRZ key when a scanned QR
  gives the rest, through :func:`cardkit.qr.crosscheck.access_from_qr`);
- 6 digits -> that CAN;
- ``DOC,YYMMDD,YYMMDD`` -> the MRZ key (BAC, or PACE with the MRZ): the fallback;
- text with ``|`` is a QR payload (a keyboard-wedge scanner types it into the key field).
"""

from __future__ import annotations

from cardkit.errors import InputError
from cardkit.icao.keys import MrzKey, can, cccd_can
from cardkit.icao.session import AccessSpec
from cardkit.qr.crosscheck import access_from_qr as keys_from_qr

_MSG_VI = "Nhập số định danh 12 số, mã CAN 6 số hoặc khóa MRZ dạng SỐ,YYMMDD,YYMMDD."


def looks_like_qr(text: str) -> bool:
    return "|" in text


def access_from_qr(payload) -> AccessSpec:
    """CAN from the QR's ID number, and the MRZ key when the renewal rule gives exactly one
    expiry date (the BAC fallback for cards without PACE)."""
    try:
        keys = keys_from_qr(payload)
    except InputError:  # no date of birth on the QR: the CAN alone
        return AccessSpec(can=cccd_can(payload.id_number))
    mrz = MrzKey.create(keys.document_number, keys.date_of_birth, keys.expiry) if keys.expiry is not None else None
    return AccessSpec(mrz_key=mrz, can=can(keys.can))


def access_from_input(text: str, qr=None) -> AccessSpec:
    """``qr``: the payload scanned just before, used when its ID is the one typed (or none is)."""
    t = "".join(text.split()) if "," not in text else text.strip()
    if not t and qr is not None:
        return access_from_qr(qr)
    if "," in t:
        return AccessSpec(mrz_key=MrzKey.parse(t))
    if t.isdigit() and len(t) == 12:
        if qr is not None and qr.id_number == t:
            return access_from_qr(qr)
        return AccessSpec(can=cccd_can(t))
    if t.isdigit() and len(t) == 6:
        return AccessSpec(can=can(t))
    raise InputError("access key must be a 12-digit ID, a 6-digit CAN or DOC,YYMMDD,YYMMDD", message_vi=_MSG_VI)
